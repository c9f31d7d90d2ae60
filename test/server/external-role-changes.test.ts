import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/server/auth/password';
import { runCli } from '../../src/server/cli/run-cli';
import { openStorage } from '../../src/server/storage';
import { eventually } from './support/eventually';
import { connect, json, record, subscribeGrants, waitForMessage } from './support/mqtt-clients';
import { useTestServer } from './support/server-fixture';

// `npm run cli -- user role` while the server runs: the CLI, another process, only writes the
// database; the server reads the change from the user change log within a second and does
// to the broker what the admin console's role change does (external-changes.ts).

const fixture = useTestServer();
// The server polls once a second; a change may take a poll or two to be applied.
const APPLIED_WITHIN_MS = 5_000;
const PASSWORD = 'a-long-secret-for-role-tests';
const REFUSED = 128; // SUBACK failure [MQTT-3.9.3]

/** Runs the CLI as `npm run cli` does, on its own connection to the server's database. */
async function cli(...argv: string[]): Promise<string[]> {
  const storage = openStorage(fixture.server.config.dataDir);
  const out: string[] = [];
  try {
    const deps = { storage, actor: 'cli:test', out: (line: string) => out.push(line) };
    expect(await runCli(argv, deps), out.join('\n')).toBe(0);
  } finally {
    storage.close();
  }
  return out;
}

async function addMember(user: string): Promise<void> {
  fixture.server.storage.users.addUser({
    org: 'demo',
    user,
    role: 'member',
    passwordHash: await hashPassword(PASSWORD),
  });
}

/** Signs in as the app does; returns its session cookie. */
async function signIn(user: string): Promise<string> {
  const res = await fixture.server.http.inject({
    method: 'POST',
    url: '/api/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ username: `${user}@demo`, password: PASSWORD }),
  });
  expect(res.statusCode, res.body).toBe(200);
  return `sb_session=${res.cookies.find((c) => c.name === 'sb_session')!.value}`;
}

const sessionStatus = async (cookie: string) =>
  (await fixture.server.http.inject({ method: 'GET', url: '/api/session', headers: { cookie } }))
    .statusCode;

/** Connects as the app does: a token from POST /api/token (recorded), over WebSocket. */
async function appConnection(cookie: string): Promise<MqttClient> {
  const res = await fixture.server.http.inject({
    method: 'POST',
    url: '/api/token',
    headers: { cookie, 'content-type': 'application/json' },
    payload: '{}',
  });
  expect(res.statusCode, res.body).toBe(200);
  const { username, password, clientId } = res.json<Record<string, string>>();
  const client = await connect(fixture.server.wsUrl, { username, password, clientId });
  fixture.open.push(client);
  return client;
}

function closed(client: MqttClient): Promise<void> {
  return eventually(() => !client.connected, APPLIED_WITHIN_MS, 'connection closed');
}

async function presenceStatus(topic: string): Promise<string | undefined> {
  const { messages } = await fixture.server.broker.admin.retained('demo', topic, 1);
  const found = messages.find((message) => message.topic === topic);
  return found && (JSON.parse(found.preview) as { status: string }).status;
}

describe('a role the CLI changes while the server runs', () => {
  it('to agent: closes their token connections, ends their sign-in, says their presence offline', async () => {
    await addMember('dora');
    const cookie = await signIn('dora');
    // The app's connection, on a token the CLI finds recorded and revokes…
    const app = await appConnection(cookie);
    // …one on a token it does not know of (minted outside POST /api/token), which says
    // online and then is only closed: no will of its own says offline…
    const tool = await fixture.member('dora');
    const presence = `presence/dora/${tool.options.clientId}`;
    await tool.publishAsync(presence, json({ status: 'online', since: Date.now() }), {
      qos: 1,
      retain: true,
    });
    // …and a device signed in with the password, which stays, as the console leaves it.
    const device = await connect(fixture.server.mqttUrl, {
      username: 'dora@demo',
      password: PASSWORD,
      clientId: 'dora-device',
    });
    fixture.open.push(device);

    const out = await cli('user', 'role', 'dora@demo', 'agent');
    expect(out).toEqual([
      'changed the role of dora@demo from member to agent; ended 1 session(s), revoked 1 token(s)',
    ]);
    expect(await sessionStatus(cookie)).toBe(401);
    await closed(app);
    await closed(tool);
    await eventually(
      async () => (await presenceStatus(presence)) === 'offline',
      APPLIED_WITHIN_MS,
      'presence offline',
    );
    expect(device.connected).toBe(true);
    // The device has an agent's rules now: its own state, no chat.
    expect(await subscribeGrants(device, ['chat/+/+', 'agents/dora/inbox'])).toEqual([REFUSED, 1]);
    const [entry] = fixture.server.storage.audit.page('demo', { limit: 1 }).entries;
    expect(entry).toMatchObject({
      actor: 'cli:test',
      action: 'user.role',
      target: 'dora',
      detail: { from: 'member', to: 'agent', signedOut: 1, revokedTokens: 1 },
    });
  });

  it('to admin and back: gives their open connections the new rules, no reconnect', async () => {
    await addMember('eli');
    const cookie = await signIn('eli');
    const client = await fixture.member('eli');
    expect(await subscribeGrants(client, ['$SYS/#'])).toEqual([REFUSED]);

    await cli('user', 'role', 'eli@demo', 'admin');
    await eventually(
      async () => (await subscribeGrants(client, ['$SYS/#']))[0] !== REFUSED,
      APPLIED_WITHIN_MS,
      '$SYS/# granted',
    );
    // An admin's publish: a notification to someone else, delivered.
    const alice = await fixture.member('alice');
    const inbox = record(alice);
    await alice.subscribeAsync('notifications/alice', { qos: 1 });
    const id = randomUUID();
    const note = json({ id, title: 'From eli', body: '', createdAt: Date.now() });
    await client.publishAsync('notifications/alice', note, { qos: 1 });
    await waitForMessage(inbox, (m) => m.payload.includes(id));
    // Still a role of the app: still signed in, still connected.
    expect(await sessionStatus(cookie)).toBe(200);
    expect(client.connected).toBe(true);

    const subscriptions = async () =>
      (await fixture.server.broker.admin.liveSessions('demo')).find(
        (session) => session.clientId === client.options.clientId,
      )?.subscriptions;
    expect(await subscriptions()).toContain('$SYS/#');
    await cli('user', 'role', 'eli@demo', 'member');
    await eventually(
      async () => !(await subscriptions())?.includes('$SYS/#'),
      APPLIED_WITHIN_MS,
      '$SYS/# pruned',
    );
    expect(client.connected).toBe(true);
  });
});
