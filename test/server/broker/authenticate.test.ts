import net from 'node:net';
import { SignJWT, base64url } from 'jose';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'aedes';
import { roleRules } from '../../../src/shared/acl';
import { hashPassword } from '../../../src/server/auth/password';
import {
  AUTH_CHECKS_IN_PARALLEL,
  AUTH_FAILURES_PER_USERNAME,
  AuthThrottle,
} from '../../../src/server/auth/auth-throttle';
import { createAuthenticate } from '../../../src/server/broker/authenticate';
import { CONNACK, ConnectRefused } from '../../../src/server/broker/refusal';
import { cheapPasswordHash } from '../support/cheap-password-hash';
import { connackCode, connect } from '../support/mqtt-clients';
import { publishContext } from '../support/publish-context';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  server.storage.users.addUser({
    org: 'demo',
    user: 'dave',
    role: 'member',
    passwordHash: await hashPassword('dave-password'),
  });
  server.storage.users.setDisabled('demo', 'dave', true);
  addFleetAgent(server);
});
afterAll(() => server.cleanup());

async function mint(user = 'alice', org = 'demo', clientId = 'alice-t') {
  return server.tokens.mint({ org, user, clientId, acl: roleRules('member') });
}

// The tests that log in dozens of times at once sign in as this agent, whose password hash
// is cheap (cheap-password-hash.ts): they check turns and counts, and at the real scrypt
// cost the last login in line waited past mqtt.js's CONNACK timeout on a loaded machine.
const FLEET_AGENT = 'fleet-agent';

function addFleetAgent(target: TestServer): void {
  target.storage.users.addUser({
    org: 'demo',
    user: FLEET_AGENT,
    role: 'agent',
    passwordHash: cheapPasswordHash(DEMO_PASSWORD),
  });
}

/**
 * A server of its own, so a throttle of its own, with the demo org and the fleet agent only:
 * seeding the demo users would hash their passwords at the real cost.
 */
async function startThrottledServer(): Promise<TestServer> {
  const throttled = await startTestServer({}, undefined, { seed: false });
  throttled.storage.users.addOrg('demo');
  addFleetAgent(throttled);
  return throttled;
}

function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<
    string,
    unknown
  >;
  return [header, base64url.encode(JSON.stringify({ ...claims, sub: 'bob' })), signature].join('.');
}

describe('CONNECT over TCP with permanent credentials', () => {
  it.each([
    ['the right password', 'agent-01@demo', DEMO_PASSWORD, 0],
    ['a wrong password', 'agent-01@demo', 'not-the-password', 4],
    ['an unknown user', 'nobody@demo', DEMO_PASSWORD, 4],
    ['an unknown org', 'agent-01@nowhere', DEMO_PASSWORD, 4],
    ['a username without org', 'agent-01', DEMO_PASSWORD, 4],
    ['a hostile username', '__proto__@demo', DEMO_PASSWORD, 4],
    ['a wildcard in the username', 'agent-+@demo', DEMO_PASSWORD, 4],
    ['no password', 'agent-01@demo', '', 4],
    ['a disabled user', 'dave@demo', 'dave-password', 5],
  ])('%s (%s) → CONNACK %s', async (_, username, password, code) => {
    expect(
      await connackCode(server.mqttUrl, {
        username,
        password: password || undefined,
        clientId: 'c1',
      }),
    ).toBe(code);
  });

  it('refuses an empty client id for a persistent session [MQTT-3.1.3-8]', async () => {
    // mqtt.js and mqtt-packet will not produce this, so the CONNECT is patched by hand.
    const url = new URL(server.mqttUrl);
    const socket = net.connect(Number(url.port), url.hostname);
    const connack = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    const bytes = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: '',
      keepalive: 30,
      username: 'agent-01@demo',
      password: Buffer.from(DEMO_PASSWORD),
    });
    bytes[9] = bytes[9]! & ~0x02; // connect flags after header(2) + "MQTT"(6) + level(1): clear Clean Session
    socket.write(bytes);
    expect([...(await connack)]).toEqual([0x20, 2, 0, 2]); // CONNACK: identifier rejected
    socket.destroy();
  });

  it.each([
    [3, 'MQTT 3.1'],
    [4, 'MQTT 3.1.1'],
  ] as const)(
    'refuses a client id over 128 characters over %s (%s)',
    async (protocolVersion, _) => {
      const login = { username: 'agent-01@demo', password: DEMO_PASSWORD, protocolVersion };
      expect(await connackCode(server.mqttUrl, { ...login, clientId: 'a'.repeat(129) })).toBe(2);
      expect(await connackCode(server.mqttUrl, { ...login, clientId: 'a'.repeat(128) })).toBe(0);
    },
  );

  it('accepts an empty client id for a clean session', async () => {
    expect(
      await connackCode(server.mqttUrl, {
        username: 'agent-01@demo',
        password: DEMO_PASSWORD,
        clientId: '',
        clean: true,
      }),
    ).toBe(0);
  });
});

describe('CONNECT over WebSocket with a temporary token', () => {
  it('accepts a token minted for the user and the client id', async () => {
    const { token } = await mint();
    expect(
      await connackCode(server.wsUrl, {
        username: 'alice@demo',
        password: token,
        clientId: 'alice-t',
      }),
    ).toBe(0);
  });

  it('refuses a token of a user removed and added again since it was minted', async () => {
    // A token of an earlier erin, minted two seconds before this one is added.
    const { token } = await server.tokens.mint({
      org: 'demo',
      user: 'erin',
      clientId: 'alice-t',
      acl: [],
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    server.storage.users.addUser({ org: 'demo', user: 'erin', role: 'admin', passwordHash: 'x' });
    expect(
      await connackCode(server.wsUrl, {
        username: 'erin@demo',
        password: token,
        clientId: 'alice-t',
      }),
    ).toBe(4);
    const fresh = await server.tokens.mint({
      org: 'demo',
      user: 'erin',
      clientId: 'alice-t',
      acl: [],
    });
    expect(
      await connackCode(server.wsUrl, {
        username: 'erin@demo',
        password: fresh.token,
        clientId: 'alice-t',
      }),
    ).toBe(0);
  });

  it.each([
    ['for another user', async () => (await mint('bob')).token, 4],
    ['with a tampered payload', async () => tamper((await mint()).token), 4],
    [
      'signed with alg none',
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
        const now = Math.floor(Date.now() / 1000);
        const payload = base64url.encode(
          JSON.stringify({ sub: 'alice', org: 'demo', iat: now, exp: now + 60, jti: 'x', acl: [] }),
        );
        return `${header}.${payload}.`;
      },
      4,
    ],
    [
      'signed with HS256 and a guessed secret',
      async () =>
        new SignJWT({ org: 'demo', acl: [] })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setIssuedAt()
          .setExpirationTime('1h')
          .setJti('forged')
          .sign(new TextEncoder().encode('secret')),
      4,
    ],
    [
      'that is revoked',
      async () => {
        const minted = await mint();
        server.tokens.revoke(minted.jti, minted.expiresAt);
        return minted.token;
      },
      4,
    ],
    [
      'for another client id of the same user',
      async () => (await mint('alice', 'demo', 'alice-other')).token,
      4,
    ],
  ])('refuses a token %s', async (_, makeToken, code) => {
    expect(
      await connackCode(server.wsUrl, {
        username: 'alice@demo',
        password: await makeToken(),
        clientId: 'alice-t',
      }),
    ).toBe(code);
  });

  it('closes the connection when the token expires', async () => {
    const short = await startTestServer({ tokenTtlSeconds: 1 });
    try {
      const { token } = await short.tokens.mint({
        org: 'demo',
        user: 'alice',
        clientId: 'alice-x',
        acl: [],
      });
      const client = await connect(short.wsUrl, {
        username: 'alice@demo',
        password: token,
        clientId: 'alice-x',
      });
      const closed = new Promise((resolve) => client.once('close', () => resolve(undefined)));
      await closed;
      expect(client.connected).toBe(false);
      expect(
        await connackCode(short.wsUrl, {
          username: 'alice@demo',
          password: token,
          clientId: 'alice-x',
        }),
      ).toBe(4);
    } finally {
      await short.cleanup();
    }
  });
});

describe('failed CONNECTs are throttled per address and username', () => {
  it('answers Server unavailable once a username has failed too often from an address, and other credentials still fail fast', async () => {
    const throttled = await startThrottledServer();
    try {
      const codes: number[] = [];
      for (let i = 0; i < 21; i++) {
        codes.push(
          await connackCode(throttled.mqttUrl, {
            username: `${FLEET_AGENT}@demo`,
            password: `wrong-${i}`,
            clientId: 'c',
          }),
        );
      }
      expect(codes.slice(0, 20).every((code) => code === 4)).toBe(true);
      expect(codes[20]).toBe(3);
      expect(
        await connackCode(throttled.mqttUrl, {
          username: `${FLEET_AGENT}@demo`,
          password: DEMO_PASSWORD,
          clientId: 'c',
        }),
      ).toBe(3);
    } finally {
      await throttled.cleanup();
    }
  });

  it('counts a burst of wrong passwords sent in parallel: only about the first 20 are checked', async () => {
    const throttled = await startThrottledServer();
    try {
      const codes = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          connackCode(throttled.mqttUrl, {
            username: `${FLEET_AGENT}@demo`,
            password: `wrong-${i}`,
            clientId: `c${i}`,
          }),
        ),
      );
      // The 20th failure is known while up to AUTH_CHECKS_IN_PARALLEL - 1 others are
      // being checked; every one after waits its turn and is refused unchecked. Over TCP
      // whether the checks overlap is up to timing; the same burst held until all of it has
      // arrived is below.
      const checked = codes.filter((code) => code === 4).length;
      expect(checked).toBeGreaterThanOrEqual(AUTH_FAILURES_PER_USERNAME);
      expect(checked).toBeLessThanOrEqual(AUTH_FAILURES_PER_USERNAME + AUTH_CHECKS_IN_PARALLEL - 1);
      expect(codes.filter((code) => code === 3)).toHaveLength(40 - checked);
    } finally {
      await throttled.cleanup();
    }
  });

  it('still lets many right passwords from one address connect at once (a fleet behind one host)', async () => {
    const codes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        connackCode(server.mqttUrl, {
          username: `${FLEET_AGENT}@demo`,
          password: DEMO_PASSWORD,
          clientId: `fleet-${i}`,
        }),
      ),
    );
    expect(codes).toEqual(Array.from({ length: 30 }, () => 0));
  });
});

describe('a burst whose password checks are held until all of it has arrived', () => {
  // The checks above run as fast as the CONNECTs arrive, so how many overlap is up to
  // timing. Here every check waits until the whole burst has asked, so each turn is full:
  // what the turns let through does not depend on how loaded the machine is.
  function heldBurst(size: number, verdict: () => 'right' | 'wrong') {
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    const counts = { checked: 0, running: 0, mostAtOnce: 0 };
    const authenticate = createAuthenticate({
      verifyCredentials: async () => {
        counts.checked++;
        counts.mostAtOnce = Math.max(counts.mostAtOnce, ++counts.running);
        try {
          await opened;
          if (verdict() === 'wrong') {
            throw new ConnectRefused('bad_credentials', 'wrong', CONNACK.badUsernameOrPassword);
          }
          return {
            org: 'demo',
            user: FLEET_AGENT,
            rules: [],
            jti: null,
            expiresAt: null,
            passwordStamp: null,
          };
        } finally {
          counts.running--;
        }
      },
      throttle: new AuthThrottle(),
      addressOf: () => '127.0.0.1',
      onAuthenticated: () => {},
      onRefused: () => {},
      publishContext: publishContext(),
    });
    const answers = Array.from({ length: size }, (_, i) => {
      const client = { id: `c${i}`, clean: true, closed: false, _will: null } as unknown as Client;
      return new Promise<number>((resolve) =>
        authenticate(client, `${FLEET_AGENT}@demo`, Buffer.from(`password-${i}`), (error) =>
          resolve(error ? (error.returnCode ?? -1) : 0),
        ),
      );
    });
    return {
      counts,
      async codes(): Promise<number[]> {
        await new Promise((resolve) => setImmediate(resolve)); // the first turns have started
        open();
        return Promise.all(answers);
      },
    };
  }

  it('checks only about the first 20 wrong passwords, AUTH_CHECKS_IN_PARALLEL at a time', async () => {
    const burst = heldBurst(40, () => 'wrong');
    const codes = await burst.codes();
    const checked = codes.filter((code) => code === 4).length;
    expect(checked).toBe(burst.counts.checked);
    expect(checked).toBeGreaterThanOrEqual(AUTH_FAILURES_PER_USERNAME);
    expect(checked).toBeLessThanOrEqual(AUTH_FAILURES_PER_USERNAME + AUTH_CHECKS_IN_PARALLEL - 1);
    expect(codes.filter((code) => code === 3)).toHaveLength(40 - checked);
    expect(burst.counts.mostAtOnce).toBe(AUTH_CHECKS_IN_PARALLEL);
  });

  it('lets every right password of a fleet in, AUTH_CHECKS_IN_PARALLEL at a time', async () => {
    const burst = heldBurst(30, () => 'right');
    expect(await burst.codes()).toEqual(Array.from({ length: 30 }, () => 0));
    expect(burst.counts.checked).toBe(30);
    expect(burst.counts.mostAtOnce).toBe(AUTH_CHECKS_IN_PARALLEL);
  });
});

describe('a client that goes while its credentials are checked', () => {
  it('is refused quietly: nothing is set up that its disconnect would have to undo', async () => {
    let release: () => void = () => {};
    const authenticated: string[] = [];
    const authenticate = createAuthenticate({
      verifyCredentials: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return {
          org: 'demo',
          user: 'alice',
          rules: [],
          jti: 'j1',
          expiresAt: Date.now() + 60_000,
          passwordStamp: null,
        };
      },
      throttle: new AuthThrottle(),
      addressOf: () => '127.0.0.1',
      onAuthenticated: (_client, identity) => authenticated.push(identity.user),
      onRefused: () => {},
      publishContext: publishContext(),
    });
    const client = { id: 'alice-t', clean: true, closed: false, _will: null } as unknown as Client;
    const answer = new Promise<[unknown, boolean | null]>((resolve) =>
      authenticate(client, 'alice@demo', Buffer.from('token'), (error, ok) => resolve([error, ok])),
    );
    await new Promise((resolve) => setImmediate(resolve)); // the check has started
    (client as { closed: boolean }).closed = true; // the socket went meanwhile
    release();
    expect(await answer).toEqual([null, false]);
    expect(authenticated).toEqual([]);
  });
});

describe('a CONNECT while its stored session is being dropped (session expiry)', () => {
  it('waits until the session is gone, so aedes then finds none rather than half of one', async () => {
    let dropped: () => void = () => {};
    const drop = new Promise<void>((resolve) => (dropped = resolve));
    const stillDropping = new Set(['demo:alice:alice-t']);
    const identified: string[] = [];
    const authenticated: string[] = [];
    const authenticate = createAuthenticate({
      verifyCredentials: async () => ({
        org: 'demo',
        user: 'alice',
        rules: [],
        jti: 'j1',
        expiresAt: Date.now() + 60_000,
        passwordStamp: null,
      }),
      throttle: new AuthThrottle(),
      addressOf: () => '127.0.0.1',
      onIdentified: (client) => identified.push(client.id),
      onAuthenticated: (client) => authenticated.push(client.id),
      onRefused: () => {},
      publishContext: publishContext(),
      dropping: (mountedId) => (stillDropping.has(mountedId) ? drop : undefined),
    });
    const client = { id: 'alice-t', clean: false, closed: false, _will: null } as unknown as Client;
    const answer = new Promise<[unknown, boolean | null]>((resolve) =>
      authenticate(client, 'alice@demo', Buffer.from('token'), (error, ok) => resolve([error, ok])),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(authenticated).toEqual([]);
    // Its rules are read: known while it waits, so an admin's change reaches it (broker.ts).
    expect(identified).toEqual(['demo:alice:alice-t']);
    stillDropping.clear();
    dropped();
    expect(await answer).toEqual([null, true]);
    expect(authenticated).toEqual(['demo:alice:alice-t']);
  });

  it('answers a will whose room could not be looked up with 3 (try again), not 5', async () => {
    const authenticate = createAuthenticate({
      verifyCredentials: async () => ({
        org: 'demo',
        user: 'alice',
        rules: roleRules('member'),
        jti: 'j1',
        expiresAt: Date.now() + 60_000,
        passwordStamp: null,
      }),
      throttle: new AuthThrottle(),
      addressOf: () => '127.0.0.1',
      onAuthenticated: () => {},
      onRefused: () => {},
      publishContext: {
        ...publishContext(),
        roomExists: () => {
          throw new Error('SQLITE_IOERR: disk I/O error');
        },
      },
    });
    const will = {
      topic: 'chat/general/messages',
      payload: Buffer.from(
        JSON.stringify({ id: 'w1', from: 'alice', text: 'bye', sentAt: Date.now() }),
      ),
      qos: 1,
      retain: false,
    };
    const client = { id: 'alice-w', clean: true, closed: false, _will: will } as unknown as Client;
    const [error] = await new Promise<[unknown, boolean | null]>((resolve) =>
      authenticate(client, 'alice@demo', Buffer.from('token'), (e, ok) => resolve([e, ok])),
    );
    expect(error).toMatchObject({ returnCode: 3 });
  });
});
