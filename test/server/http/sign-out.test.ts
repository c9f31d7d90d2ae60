import type { IClientOptions, MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password';
import { presenceSchema } from '../../../src/shared/schemas';
import { closed } from '../admin/admin-server';
import { connackCode, connect, json, record, waitForMessage } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// Signing out (DELETE /api/session) ends that sign-in everywhere: the broker tokens it got
// are refused from then on and the connections using them close at once (the browser's
// other tabs), their Last Wills saying offline. Other sign-ins of the person stay.

const fixture = useTestServer({
  // Hers alone: a test resets her password. His: the tests of sign-ins over his own, so
  // that alice's stay under the sign-in rate limit.
  async setup(server) {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    server.storage.users.addUser({ org: 'demo', user: 'carol', role: 'member', passwordHash });
    server.storage.users.addUser({ org: 'demo', user: 'dave', role: 'member', passwordHash });
  },
});
const { open } = fixture;

const REFUSED_BAD_CREDENTIALS = 4; // CONNACK return code [MQTT-3.2.2.3]

/** Signs in as the app does; the Cookie header value. */
async function signIn(username: string): Promise<string> {
  const res = await fixture.server.http.inject({
    method: 'POST',
    url: '/api/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(res.statusCode, res.body).toBe(200);
  return `sb_session=${res.cookies.find((c) => c.name === 'sb_session')?.value ?? ''}`;
}

const signOut = (cookie: string) =>
  fixture.server.http.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });

const mintStatus = async (cookie: string) =>
  (
    await fixture.server.http.inject({
      method: 'POST',
      url: '/api/token',
      headers: { cookie, 'content-type': 'application/json' },
      payload: '{}',
    })
  ).statusCode;

interface Tab {
  client: MqttClient;
  /** What it connected with: a reconnect with them is refused once signed out. */
  credentials: IClientOptions;
  presence: string;
}

/** A tab of the app: a token of the sign-in, presence online with an offline Last Will. */
async function openTab(cookie: string): Promise<Tab> {
  const res = await fixture.server.http.inject({
    method: 'POST',
    url: '/api/token',
    headers: { cookie, 'content-type': 'application/json' },
    payload: '{}',
  });
  expect(res.statusCode, res.body).toBe(200);
  const token = res.json<{ username: string; password: string; clientId: string }>();
  const user = token.username.split('@')[0] ?? '';
  const presence = `presence/${user}/${token.clientId}`;
  const credentials = {
    username: token.username,
    password: token.password,
    clientId: token.clientId,
  };
  const client = await connect(fixture.server.wsUrl, {
    ...credentials,
    clean: false,
    will: {
      topic: presence,
      payload: Buffer.from(json({ status: 'offline', since: Date.now() })),
      qos: 1,
      retain: true,
    },
  });
  open.push(client);
  await client.publishAsync(presence, json({ status: 'online', since: Date.now() }), {
    qos: 1,
    retain: true,
  });
  return { client, credentials, presence };
}

async function presenceOf(topic: string) {
  const { messages } = await fixture.server.broker.admin.retained('demo', topic, 1);
  const found = messages.find((message) => message.topic === topic);
  return found && presenceSchema.parse(JSON.parse(found.preview));
}

describe('DELETE /api/session', () => {
  it('closes the connections of that sign-in at once and refuses its tokens after', async () => {
    const browser = await signIn('alice@demo');
    const tabs = [await openTab(browser), await openTab(browser)];
    const phone = await signIn('alice@demo');
    const phoneTab = await openTab(phone);

    const started = Date.now();
    expect((await signOut(browser)).statusCode).toBe(204);
    await Promise.all(tabs.map((tab) => closed(tab.client)));
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const tab of tabs) {
      expect(await connackCode(fixture.server.wsUrl, tab.credentials)).toBe(
        REFUSED_BAD_CREDENTIALS,
      );
    }
    expect(await mintStatus(browser)).toBe(401);

    // The other sign-in of the same person is untouched.
    expect(phoneTab.client.connected).toBe(true);
    await phoneTab.client.publishAsync(phoneTab.presence, json({ status: 'online', since: 2 }), {
      qos: 1,
      retain: true,
    });
    expect(await presenceOf(phoneTab.presence)).toEqual({ status: 'online', since: 2 });
    expect(await mintStatus(phone)).toBe(200);
  });

  it('says offline for the other tabs through their wills; the signing-out tab’s own stays', async () => {
    const watcher = await fixture.member('bob');
    await watcher.subscribeAsync('presence/+/+', { qos: 1 });
    const seen = record(watcher);
    const browser = await signIn('alice@demo');
    const [signingOut, other] = [await openTab(browser), await openTab(browser)];

    // As the app does: its own tab says offline and DISCONNECTs (no will), then signs out.
    const said = { status: 'offline', since: Date.now() - 1_000 } as const;
    await signingOut.client.publishAsync(signingOut.presence, json(said), {
      qos: 1,
      retain: true,
    });
    await signingOut.client.endAsync();
    seen.length = 0;
    expect((await signOut(browser)).statusCode).toBe(204);

    await waitForMessage(seen, (m) => m.topic === other.presence && m.payload.includes('offline'));
    expect((await presenceOf(other.presence))?.status).toBe('offline');
    // No will of its own fired after it: what it said stands.
    expect(await presenceOf(signingOut.presence)).toEqual(said);
    expect(seen.some((m) => m.topic === signingOut.presence)).toBe(false);
  });

  it('says offline for a tab caught renewing: its old client gone with its will, the new token revoked', async () => {
    const browser = await signIn('alice@demo');
    const tab = await openTab(browser);
    // The renewal: the next token is minted, the old client ends cleanly (no will)…
    expect(await mintStatus(browser)).toBe(200);
    await tab.client.endAsync();
    expect((await presenceOf(tab.presence))?.status).toBe('online');
    // …and the sign-out lands before the new token connects: that CONNECT is refused.
    expect((await signOut(browser)).statusCode).toBe(204);
    expect((await presenceOf(tab.presence))?.status).toBe('offline');
  });

  it('ends the previous sign-in of the browser when another signs in over it', async () => {
    const browser = await signIn('alice@demo');
    const tab = await openTab(browser);
    const res = await fixture.server.http.inject({
      method: 'POST',
      url: '/api/session',
      headers: { cookie: browser, 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'bob@demo', password: DEMO_PASSWORD }),
    });
    expect(res.statusCode, res.body).toBe(200);
    await closed(tab.client);
    expect(await connackCode(fixture.server.wsUrl, tab.credentials)).toBe(REFUSED_BAD_CREDENTIALS);
  });

  /** Signs `username` in from a browser that still sends `cookie`; the new Cookie value. */
  const signInOver = async (cookie: string, username: string): Promise<string> => {
    const res = await fixture.server.http.inject({
      method: 'POST',
      url: '/api/session',
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    expect(res.statusCode, res.body).toBe(200);
    return `sb_session=${res.cookies.find((c) => c.name === 'sb_session')?.value ?? ''}`;
  };

  /** Still connected, and the broker still takes what it sends. */
  const stillUp = async (tab: Tab) => {
    expect(tab.client.connected).toBe(true);
    await tab.client.publishAsync(tab.presence, json({ status: 'online', since: 3 }), {
      qos: 1,
      retain: true,
    });
    expect(await presenceOf(tab.presence)).toEqual({ status: 'online', since: 3 });
  };

  it('leaves the user’s own tabs connected when they sign in over their own sign-in', async () => {
    const browser = await signIn('dave@demo');
    const tabs = [await openTab(browser), await openTab(browser)];
    const again = await signInOver(browser, 'dave@demo');
    // Long enough for connections being closed to be seen closing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const tab of tabs) await stillUp(tab);
    // The earlier cookie is over (the browser no longer has it); the new one renews.
    expect(await mintStatus(browser)).toBe(401);
    expect(await mintStatus(again)).toBe(200);
  });

  it('ends the tabs of the sign-in it took over when the user signs out', async () => {
    const browser = await signIn('dave@demo');
    const tab = await openTab(browser);
    const again = await signInOver(browser, 'dave@demo');
    expect((await signOut(again)).statusCode).toBe(204);
    await closed(tab.client);
    expect(await connackCode(fixture.server.wsUrl, tab.credentials)).toBe(REFUSED_BAD_CREDENTIALS);
  });

  it('ends the sign-in it took over when one of its tokens is revoked', async () => {
    const browser = await signIn('dave@demo');
    const tab = await openTab(browser);
    const again = await signInOver(browser, 'dave@demo');
    const { jti } = await fixture.server.tokens.verify(String(tab.credentials.password));
    const res = await fixture.server.http.inject({
      method: 'POST',
      url: `/api/admin/tokens/${jti}/revoke`,
      headers: { cookie: await signIn('admin@demo'), 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode, res.body).toBe(200);
    await closed(tab.client);
    expect(await mintStatus(again)).toBe(401);
  });

  it('is not in the org’s audit log: it is the person’s own doing, as signing in is', async () => {
    const before = fixture.server.storage.audit.page('demo', { limit: 1 });
    const browser = await signIn('alice@demo');
    await openTab(browser);
    expect((await signOut(browser)).statusCode).toBe(204);
    expect(fixture.server.storage.audit.page('demo', { limit: 1 })).toEqual(before);
  });
});

// The admin console ends sign-ins with the same functions (token-revocation.ts), and so says
// offline for a tab caught renewing as the sign-out does.
describe('an admin revoking the tokens of a tab caught renewing', () => {
  /** A tab whose renewal is under way: the next token minted, the old client ended cleanly (no will). */
  async function renewingTab(user = 'alice'): Promise<{ presence: string; jti: string }> {
    const browser = await signIn(`${user}@demo`);
    const tab = await openTab(browser);
    const { jti } = await fixture.server.tokens.verify(String(tab.credentials.password));
    expect(await mintStatus(browser)).toBe(200);
    await tab.client.endAsync();
    expect((await presenceOf(tab.presence))?.status).toBe('online');
    return { presence: tab.presence, jti };
  }

  const asAdmin = async (url: string) => {
    const res = await fixture.server.http.inject({
      method: 'POST',
      url,
      headers: { cookie: await signIn('admin@demo'), 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  it('says offline for it when one token of its sign-in is revoked', async () => {
    const tab = await renewingTab();
    await asAdmin(`/api/admin/tokens/${tab.jti}/revoke`);
    expect((await presenceOf(tab.presence))?.status).toBe('offline');
  });

  it('says offline for it when all the user’s tokens are revoked', async () => {
    const tab = await renewingTab();
    await asAdmin('/api/admin/users/alice/revoke-tokens');
    expect((await presenceOf(tab.presence))?.status).toBe('offline');
  });

  it('says offline for it when the user’s password is reset', async () => {
    const tab = await renewingTab('carol'); // a user of this test alone: the password goes
    await asAdmin('/api/admin/users/carol/password');
    expect((await presenceOf(tab.presence))?.status).toBe('offline');
  });
});
