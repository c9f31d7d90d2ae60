import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { AUTH_FAILURES_PER_USERNAME } from '../../src/server/auth/auth-throttle';
import { SIGN_IN_FAILURES_PER_ADDRESS } from '../../src/server/http/session';
import { captureLog } from './support/captured-log';
import { eventually } from './support/eventually';
import { connackCode, connect } from './support/mqtt-clients';
import { useTestServer, type ServerFixture } from './support/server-fixture';
import { DEMO_PASSWORD } from './support/test-server';

// Behind a TLS-terminating reverse proxy every request comes from the proxy. Here the tests
// are the proxy: they connect from 127.0.0.1 and add what it adds. Only a server whose
// TRUST_PROXY names that peer believes them; one trusting no proxy, or another one, must
// go on seeing every request as 127.0.0.1's over plain http, or a client that connects
// directly could pick its own address (and sign-in throttle) by sending the headers itself.

const PUBLIC_HOST = 'app.example.com';
const PUBLIC_ORIGIN = `https://${PUBLIC_HOST}`;

function forwardedFrom(client: string): Record<string, string> {
  return {
    'x-forwarded-for': client,
    'x-forwarded-host': PUBLIC_HOST,
    'x-forwarded-proto': 'https',
  };
}

/** Signs in through `fixture`'s server with the headers a proxy would add. */
const signInTo =
  (fixture: ServerFixture) =>
  (username: string, password: string, headers: Record<string, string>) =>
    fetch(`${fixture.server.httpUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username, password }),
    });

/** The answer to an upgrade to `fixture`'s /mqtt: 101 when the WebSocket opened. */
const upgradeStatusOf =
  (fixture: ServerFixture) => (origin: string, headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(fixture.server.wsUrl, 'mqtt', { origin, headers });
      ws.on('open', () => {
        ws.terminate();
        resolve(101);
      });
      ws.on('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
      ws.on('error', () => {});
    });

describe.each([
  ['trusting no proxy', [], false],
  ['trusting another proxy', ['192.0.2.1'], false],
  ['trusting this peer as its proxy', ['127.0.0.1'], true],
])('a server %s', (_name, trustProxy: string[], believed: boolean) => {
  const log = captureLog();
  const fixture = useTestServer({ config: { trustProxy }, logger: log.logger });

  const signIn = signInTo(fixture);

  const upgradeStatus = upgradeStatusOf(fixture);

  it('says at start which proxies it trusts, if any', () => {
    const said = log.events.filter((e) => e.event === 'trusting_proxies');
    expect(said).toEqual(trustProxy.length > 0 ? [expect.objectContaining({ trustProxy })] : []);
  });

  it(`sets a ${believed ? 'Secure __Host-' : 'non-Secure'} cookie, and names ${believed ? 'the public' : 'its own'} broker URL, when the proxy says https`, async () => {
    const res = await signIn('alice@demo', DEMO_PASSWORD, forwardedFrom('198.51.100.10'));
    expect(res.status).toBe(200);
    // Once https, the cookie takes the __Host- prefix (session-cookie.ts).
    const name = believed ? '__Host-sb_session=' : 'sb_session=';
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    const cookie = cookies.find((c) => c.startsWith(name)) ?? '';
    expect(cookie).not.toBe('');
    expect(/;\s*Secure(;|$)/i.test(cookie)).toBe(believed);

    const token = await fetch(`${fixture.server.httpUrl}/api/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: cookie.split(';')[0] ?? '',
        ...forwardedFrom('198.51.100.10'),
      },
      body: '{}',
    });
    expect(token.status).toBe(200);
    const { url } = (await token.json()) as { url: string };
    expect(url).toBe(believed ? `wss://${PUBLIC_HOST}/mqtt` : fixture.server.wsUrl);
  });

  it(`${believed ? 'accepts' : 'refuses'} sign-ins and WebSocket upgrades from pages of the public origin`, async () => {
    const headers = { ...forwardedFrom('198.51.100.11'), origin: PUBLIC_ORIGIN };
    expect((await signIn('bob@demo', DEMO_PASSWORD, headers)).status).toBe(believed ? 200 : 403);
    expect(await upgradeStatus(PUBLIC_ORIGIN, forwardedFrom('198.51.100.11'))).toBe(
      believed ? 101 : 403,
    );
  });

  it('refuses a plain-http page of the public host, whose requests the proxy says came over https', async () => {
    const insecure = `http://${PUBLIC_HOST}`;
    const headers = { ...forwardedFrom('198.51.100.12'), origin: insecure };
    expect((await signIn('bob@demo', DEMO_PASSWORD, headers)).status).toBe(403);
    expect(await upgradeStatus(insecure, forwardedFrom('198.51.100.12'))).toBe(403);
  });

  it(`shows and logs a WebSocket client as ${believed ? 'the proxy names it' : '127.0.0.1'}`, async () => {
    const client = await connect(fixture.server.wsUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'via-proxy',
      wsOptions: { headers: forwardedFrom('198.51.100.13') },
    });
    fixture.open.push(client);
    const address = believed ? '198.51.100.13' : '127.0.0.1';
    await eventually(() => log.events.some((e) => e.clientId === 'via-proxy'));
    expect(log.events).toContainEqual(
      expect.objectContaining({ event: 'client_connected', clientId: 'via-proxy', address }),
    );
    const sessions = await fixture.server.broker.admin.liveSessions('demo');
    expect(sessions.find((s) => s.clientId === 'via-proxy')).toMatchObject({
      address,
      transport: 'ws',
      secure: believed,
    });
  });

  // Last: where no proxy is trusted, these block every sign-in from 127.0.0.1 for a minute.
  it(`counts failed sign-ins per ${believed ? 'forwarded client' : 'peer, whatever it forwards'}`, async () => {
    const tries = (client: string, username: string) =>
      signIn(username, 'wrongwrong', forwardedFrom(client)).then((res) => res.status);
    for (let i = 0; i < SIGN_IN_FAILURES_PER_ADDRESS; i++) {
      expect(await tries('203.0.113.1', `nobody${i}@demo`)).toBe(401);
    }
    expect(await tries('203.0.113.1', 'somebody@demo')).toBe(429);
    expect(await tries('203.0.113.2', 'somebody@demo')).toBe(believed ? 401 : 429);
  });

  it(`counts failed MQTT logins over WebSocket per ${believed ? 'forwarded client' : 'peer, whatever it forwards'}`, async () => {
    const tries = (client: string, attempt: number) =>
      connackCode(fixture.server.wsUrl, {
        username: 'agent-02@demo',
        password: `wrong-${attempt}`,
        clientId: 'guesser',
        wsOptions: { headers: forwardedFrom(client) },
      });
    for (let i = 0; i < AUTH_FAILURES_PER_USERNAME; i++) {
      expect(await tries('203.0.113.1', i)).toBe(4); // bad user name or password
    }
    expect(await tries('203.0.113.1', -1)).toBe(3); // server unavailable: throttled
    expect(await tries('203.0.113.2', -2)).toBe(believed ? 4 : 3);
    expect(log.events).toContainEqual(
      expect.objectContaining({
        event: 'connect_refused',
        code: 'rate_limited',
        address: believed ? '203.0.113.1' : '127.0.0.1',
      }),
    );
  });
});

// Azure's Application Gateway adds the client's port to X-Forwarded-For (a new one per
// connection), and a proxy may spell X-Forwarded-Proto in capitals. Neither is a new client
// nor plain http.
describe('a server behind a proxy that adds the client’s port and says HTTPS', () => {
  const log = captureLog();
  const fixture = useTestServer({ config: { trustProxy: ['127.0.0.1'] }, logger: log.logger });

  const viaGateway = (client: string): Record<string, string> => ({
    'x-forwarded-for': client,
    'x-forwarded-host': PUBLIC_HOST,
    'x-forwarded-proto': 'HTTPS',
  });
  const signIn = signInTo(fixture);
  const upgradeStatus = upgradeStatusOf(fixture);

  it('sets a Secure __Host- cookie and names the wss:// broker URL', async () => {
    const res = await signIn('alice@demo', DEMO_PASSWORD, viaGateway('198.51.100.20:40001'));
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-sb_session=')) ?? '';
    expect(/;\s*Secure(;|$)/i.test(cookie)).toBe(true);
    const token = await fetch(`${fixture.server.httpUrl}/api/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: cookie.split(';')[0] ?? '',
        ...viaGateway('198.51.100.20:40002'),
      },
      body: '{}',
    });
    expect(token.status).toBe(200);
    expect(((await token.json()) as { url: string }).url).toBe(`wss://${PUBLIC_HOST}/mqtt`);
  });

  it('refuses a plain-http page of the public host, and accepts its https page', async () => {
    const insecure = `http://${PUBLIC_HOST}`;
    const from = viaGateway('198.51.100.21:40003');
    expect((await signIn('bob@demo', DEMO_PASSWORD, { ...from, origin: insecure })).status).toBe(
      403,
    );
    expect(await upgradeStatus(insecure, from)).toBe(403);
    expect(
      (await signIn('bob@demo', DEMO_PASSWORD, { ...from, origin: PUBLIC_ORIGIN })).status,
    ).toBe(200);
    expect(await upgradeStatus(PUBLIC_ORIGIN, { ...from, 'x-forwarded-proto': 'WSS' })).toBe(101);
  });

  it('shows and logs a WebSocket client by its address alone', async () => {
    const client = await connect(fixture.server.wsUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'via-gateway',
      wsOptions: { headers: viaGateway('[2001:db8::13]:40004') },
    });
    fixture.open.push(client);
    await eventually(() => log.events.some((e) => e.clientId === 'via-gateway'));
    expect(log.events).toContainEqual(
      expect.objectContaining({ clientId: 'via-gateway', address: '2001:db8::13' }),
    );
    const sessions = await fixture.server.broker.admin.liveSessions('demo');
    expect(sessions.find((s) => s.clientId === 'via-gateway')).toMatchObject({
      address: '2001:db8::13',
      secure: true,
    });
  });

  it('counts failed sign-ins per client, whatever port each connection came from', async () => {
    const tries = (client: string, username: string) =>
      signIn(username, 'wrongwrong', viaGateway(client)).then((res) => res.status);
    for (let i = 0; i < SIGN_IN_FAILURES_PER_ADDRESS; i++) {
      expect(await tries(`203.0.113.1:${50000 + i}`, `nobody${i}@demo`)).toBe(401);
    }
    expect(await tries('203.0.113.1:60000', 'somebody@demo')).toBe(429);
    expect(await tries('203.0.113.1', 'somebody@demo')).toBe(429);
    expect(await tries('203.0.113.2:50000', 'somebody@demo')).toBe(401);
  });

  it('counts failed MQTT logins over WebSocket per client, whatever its port', async () => {
    const tries = (client: string, attempt: number) =>
      connackCode(fixture.server.wsUrl, {
        username: 'agent-02@demo',
        password: `wrong-${attempt}`,
        clientId: 'guesser',
        wsOptions: { headers: viaGateway(client) },
      });
    for (let i = 0; i < AUTH_FAILURES_PER_USERNAME; i++) {
      expect(await tries(`203.0.113.1:${50000 + i}`, i)).toBe(4);
    }
    expect(await tries('203.0.113.1:60000', -1)).toBe(3);
    expect(await tries('203.0.113.2:60000', -2)).toBe(4);
  });
});
