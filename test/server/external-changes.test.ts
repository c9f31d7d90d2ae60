import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/server/auth/password';
import { runCli } from '../../src/server/cli/run-cli';
import { openStorage } from '../../src/server/storage';
import { connect, json } from './support/mqtt-clients';
import { eventually } from './support/eventually';
import { useTestServer } from './support/server-fixture';
import { DEMO_PASSWORD } from './support/test-server';

// The CLI, another process with its own connection to the database, changes users while
// the server runs: the server closes the connections that are no longer allowed.

const fixture = useTestServer();
const CLOSED_WITHIN_MS = 5_000;
// The server polls once a second; a change may take a poll or two to be applied.
const APPLIED_WITHIN_MS = 5_000;

/** Runs the CLI as `npm run cli` does, on its own connection to the server's database. */
async function cli(...argv: string[]): Promise<string[]> {
  const storage = openStorage(fixture.server.config.dataDir);
  const out: string[] = [];
  try {
    expect(await runCli(argv, { storage, actor: 'cli:test', out: (line) => out.push(line) })).toBe(
      0,
    );
  } finally {
    storage.close();
  }
  return out;
}

function closed(client: { once(event: 'close', listener: () => void): unknown }) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still connected')), CLOSED_WITHIN_MS);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('users changed by the CLI while the server runs', () => {
  it('closes the connections of a user the CLI disabled, and only theirs', async () => {
    const device = await connect(fixture.server.mqttUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'agent-01-cli',
      reconnectPeriod: 0,
    });
    fixture.open.push(device);
    const bystander = await fixture.member('bob', { reconnectPeriod: 0 });
    const browser = await fixture.member('alice', { reconnectPeriod: 0 });
    const gone = Promise.all([closed(device), closed(browser)]);
    await cli('user', 'disable', 'agent-01@demo');
    await cli('user', 'disable', 'alice@demo');
    await gone;
    expect(bystander.connected).toBe(true);
    await cli('user', 'enable', 'agent-01@demo');
    await cli('user', 'enable', 'alice@demo');
  });

  it('clears, through its will, the state of an agent the CLI removed', async () => {
    const password = 'a-long-secret-for-carol';
    await cli('user', 'add', 'carol@demo', '--role', 'agent', '--password', password);
    const state = 'agents/carol/state';
    const device = await connect(fixture.server.mqttUrl, {
      username: 'carol@demo',
      password,
      clientId: 'carol-box',
      reconnectPeriod: 0,
      will: {
        topic: state,
        payload: Buffer.from('{"status":"offline","updatedAt":2}'),
        qos: 1,
        retain: true,
      },
    });
    fixture.open.push(device);
    await device.publishAsync(state, '{"status":"working","updatedAt":1}', {
      qos: 1,
      retain: true,
    });
    expect(fixture.server.broker.retainedTopics('demo', state)).toEqual([state]);
    const gone = closed(device);
    await cli('user', 'remove', 'carol@demo');
    await gone;
    // Not "working" for good, nor "offline" on every board: gone.
    await eventually(() => fixture.server.broker.retainedTopics('demo', state).length === 0);
  });

  it('closes a connection whose token the CLI revoked with a new password', async () => {
    const { token } = await fixture.server.tokens.mint({
      org: 'demo',
      user: 'bob',
      clientId: 'bob-revoked',
      acl: [],
    });
    fixture.server.storage.issuedTokens.record({
      jti: JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti,
      org: 'demo',
      user: 'bob',
      clientId: 'bob-revoked',
      issuedAt: Date.now(),
      expiresAt: Date.now() + 60_000,
    });
    const client = await connect(fixture.server.wsUrl, {
      username: 'bob@demo',
      password: token,
      clientId: 'bob-revoked',
      reconnectPeriod: 0,
    });
    fixture.open.push(client);
    const gone = closed(client);
    expect((await cli('user', 'passwd', 'bob@demo'))[0]).toContain('revoked 1 token(s)');
    await gone;
  });

  it('closes the connections signed in with a password the CLI changed, and no others', async () => {
    const device = (user: string, password: string, clientId: string) =>
      connect(fixture.server.mqttUrl, {
        username: `${user}@demo`,
        password,
        clientId,
        reconnectPeriod: 0,
      }).then((client) => {
        fixture.open.push(client);
        return client;
      });
    const NEW_PASSWORD = 'changed-password-2';
    const old = await device('agent-02', DEMO_PASSWORD, 'agent-02-old');
    const bystander = await device('agent-03', DEMO_PASSWORD, 'agent-03-cli');
    const gone = closed(old);
    await cli('user', 'passwd', 'agent-02@demo', '--password', NEW_PASSWORD);
    await gone;

    // Signed in with the new password, it stays through the next change the server sees.
    const renewed = await device('agent-02', NEW_PASSWORD, 'agent-02-new');
    const marker = await device('agent-04', DEMO_PASSWORD, 'agent-04-cli');
    const markerGone = closed(marker);
    await cli('user', 'disable', 'agent-04@demo');
    await markerGone;
    expect(renewed.connected).toBe(true);
    expect(bystander.connected).toBe(true);
    await cli('user', 'enable', 'agent-04@demo');
  });

  /** The retained presence at `topic` as it is now, if any. */
  async function presenceAt(topic: string, org = 'demo') {
    const { messages } = await fixture.server.broker.admin.retained(org, topic, 1);
    const found = messages.find((message) => message.topic === topic);
    return found && (JSON.parse(found.preview) as { status: string; since: number });
  }

  /** Connects as the app does, says online (retained) and leaves with DISCONNECT: no will. */
  async function leaveOnline(user: string, org = 'demo'): Promise<string> {
    const client = await fixture.member(user, { org });
    const topic = `presence/${user}/${client.options.clientId}`;
    await client.publishAsync(topic, json({ status: 'online', since: 1 }), {
      qos: 1,
      retain: true,
    });
    await client.endAsync();
    return topic;
  }

  /** An agent that retains a state and leaves with DISCONNECT (no will goes out). */
  async function leaveState(user: string, org: string, password: string): Promise<string> {
    const topic = `agents/${user}/state`;
    const client = await connect(fixture.server.mqttUrl, {
      username: `${user}@${org}`,
      password,
      clientId: `${user}-box`,
    });
    await client.publishAsync(topic, json({ status: 'working', updatedAt: 1 }), {
      qos: 1,
      retain: true,
    });
    await client.endAsync();
    expect(fixture.server.broker.retainedTopics(org, topic)).toEqual([topic]);
    return topic;
  }

  const isRetained = (org: string, topic: string) =>
    fixture.server.broker.retainedTopics(org, topic).length > 0;

  it('turns offline the presence a user the CLI disabled had left online', async () => {
    // alice was there when the server started; dave is added since: the log names him too.
    await cli('user', 'add', 'dave@demo', '--role', 'member', '--password', DEMO_PASSWORD);
    const topics = [await leaveOnline('alice'), await leaveOnline('dave')];
    const bystander = await leaveOnline('bob');
    const before = Date.now();
    await cli('user', 'disable', 'alice@demo');
    await cli('user', 'disable', 'dave@demo');
    for (const topic of topics) {
      await eventually(
        async () => (await presenceAt(topic))?.status === 'offline',
        APPLIED_WITHIN_MS,
        `${topic} offline`,
      );
      expect((await presenceAt(topic))!.since).toBeGreaterThanOrEqual(before);
    }
    expect(await presenceAt(bystander)).toEqual({ status: 'online', since: 1 });
    await cli('user', 'enable', 'alice@demo');
  });

  it('clears the last-known states of users the CLI removed after they had left', async () => {
    await cli('org', 'add', 'acme');
    const password = 'a-long-secret-for-agents';
    // agent-05 was there when the server started; erin (in another org), frank and hal are
    // added since: the log names them too.
    await cli('user', 'add', 'erin@acme', '--role', 'agent', '--password', password);
    await cli('user', 'add', 'frank@demo', '--role', 'agent', '--password', password);
    await cli('user', 'add', 'hal@demo', '--role', 'member', '--password', password);
    const cleared = [
      ['demo', await leaveState('agent-05', 'demo', DEMO_PASSWORD)],
      ['acme', await leaveState('erin', 'acme', password)],
      ['demo', await leaveState('frank', 'demo', password)],
      ['demo', await leaveOnline('hal')],
    ] as const;
    await cli('user', 'remove', 'agent-05@demo');
    await cli('user', 'remove', 'erin@acme');
    await cli('user', 'remove', 'hal@demo');
    // frank is removed and added again at once, as another process would: still there at
    // the next poll, under a new creation time.
    const passwordHash = await hashPassword(password);
    const other = openStorage(fixture.server.config.dataDir);
    try {
      other.users.removeUser('demo', 'frank');
      other.users.addUser({ org: 'demo', user: 'frank', role: 'agent', passwordHash });
    } finally {
      other.close();
    }
    for (const [org, topic] of cleared) {
      await eventually(() => !isRetained(org, topic), APPLIED_WITHIN_MS, `${topic} cleared`);
    }
  });

  it('forgets the stored sessions of a user the CLI removed', async () => {
    const password = 'a-long-secret-for-agents';
    await cli('user', 'add', 'ivan@demo', '--role', 'agent', '--password', password);
    const client = await connect(fixture.server.mqttUrl, {
      username: 'ivan@demo',
      password,
      clientId: 'ivan-box',
      clean: false,
    });
    await client.subscribeAsync('agents/ivan/inbox', { qos: 1 });
    await client.endAsync();
    const stored = async () =>
      (await fixture.server.broker.admin.storedSessions('demo')).some(
        (session) => session.clientId === 'ivan-box',
      );
    expect(await stored()).toBe(true);
    await cli('user', 'remove', 'ivan@demo');
    await eventually(async () => !(await stored()), APPLIED_WITHIN_MS, 'session forgotten');
  });

  it('clears only the states of users it saw removed, in their own org', async () => {
    const password = 'a-long-secret-for-agents';
    // The same id in another org, and a state kept under an id that is no user's.
    await cli('user', 'add', 'gina@demo', '--role', 'agent', '--password', password);
    await cli('org', 'add', 'globex');
    await cli('user', 'add', 'gina@globex', '--role', 'agent', '--password', password);
    const kept = await leaveState('gina', 'demo', password);
    const bridged = 'agents/bridge-7/state';
    fixture.server.storage.users.setExtraRules('demo', 'notifier', [
      { permission: 'allow', action: 'publish', topic: bridged },
    ]);
    const bridge = await connect(fixture.server.mqttUrl, {
      username: 'notifier@demo',
      password: DEMO_PASSWORD,
      clientId: 'notifier-bridge',
    });
    await bridge.publishAsync(bridged, json({ status: 'idle', updatedAt: 1 }), {
      qos: 1,
      retain: true,
    });
    await bridge.endAsync();
    // Cleared once the server has applied the change: by then it would have cleared the others.
    const marker = await leaveState('gina', 'globex', password);
    await cli('user', 'remove', 'gina@globex');
    await eventually(() => !isRetained('globex', marker), APPLIED_WITHIN_MS, 'marker cleared');
    expect(isRetained('demo', kept)).toBe(true);
    expect(isRetained('demo', bridged)).toBe(true);
  });
});
