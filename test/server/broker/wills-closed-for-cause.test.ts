import { randomUUID } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password';
import { roleRules } from '../../../src/shared/acl';
import {
  connect,
  json,
  record,
  subscribeGrants,
  waitForMessage,
  type ReceivedMessage,
} from '../support/mqtt-clients';
import { captureLog } from '../support/captured-log';
import { eventually } from '../support/eventually';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A connection the server closes for cause (a user disabled, a kick, a revoked token, a
// password reset, a role that cannot use the app) sends only the Last Will of its own
// presence or agent state (authorize-publish.ts): a chat message armed as a will must not
// be posted for someone just shut out. A connection that drops by itself sends its will
// as given.

const { logger, events } = captureLog(); // the server's log, as objects
const t = useTestServer({ logger });
afterEach(() => {
  events.length = 0;
});

let users = 0;
/** A new member who signs in with a password. */
async function newMember(): Promise<string> {
  const user = `par${++users}`;
  t.server.storage.users.addUser({
    org: 'demo',
    user,
    role: 'member',
    passwordHash: await hashPassword(DEMO_PASSWORD),
  });
  return user;
}

const chatWill = (user: string, text: string) => ({
  topic: 'chat/general/messages',
  payload: Buffer.from(json({ id: randomUUID(), from: user, text, sentAt: Date.now() })),
  qos: 1 as const,
  retain: false,
});
const presenceWill = (user: string, clientId: string) => ({
  topic: `presence/${user}/${clientId}`,
  payload: Buffer.from(json({ status: 'offline', since: Date.now() })),
  qos: 1 as const,
  retain: true,
});

/** A device of `user` over TCP with its password. */
async function device(user: string, clientId: string, will: IClientOptions['will']) {
  const client = await connect(t.server.mqttUrl, {
    username: `${user}@demo`,
    password: DEMO_PASSWORD,
    clientId,
    will,
  });
  t.open.push(client);
  return client;
}

/** A tab of `user` as the app connects: a token over WebSocket; its jti. */
async function tab(user: string, clientId: string, will: IClientOptions['will']) {
  const { token } = await t.server.tokens.mint({
    org: 'demo',
    user,
    clientId,
    acl: roleRules('member'),
  });
  const client = await connect(t.server.wsUrl, {
    username: `${user}@demo`,
    password: token,
    clientId,
    will,
  });
  t.open.push(client);
  return { client, jti: (await t.server.tokens.verify(token)).jti };
}

/** One call of the admin API, signed in as demo's admin. */
async function asAdmin(method: 'POST' | 'PATCH', url: string, body: unknown = {}) {
  const signIn = await t.server.http.inject({
    method: 'POST',
    url: '/api/session',
    headers: { 'content-type': 'application/json' },
    payload: json({ username: 'admin@demo', password: DEMO_PASSWORD }),
  });
  const cookie = signIn.cookies.find((c) => c.name === 'sb_session');
  const res = await t.server.http.inject({
    method,
    url,
    headers: { cookie: `sb_session=${cookie?.value ?? ''}`, 'content-type': 'application/json' },
    payload: json(body),
  });
  expect(res.statusCode, res.body).toBe(200);
}

/** bob, watching every room and every presence. */
async function watcher(): Promise<{ bob: MqttClient; seen: ReceivedMessage[] }> {
  const bob = await t.member('bob');
  const seen = record(bob);
  await subscribeGrants(bob, ['chat/+/messages', 'presence/+/+']);
  return { bob, seen };
}

const closed = (client: MqttClient) =>
  new Promise<void>((resolve) => {
    if (client.disconnected || !client.connected) resolve();
    else client.once('close', () => resolve());
  });

/** Whether a will with `text` reached bob or the history, once a sentinel has reached him. */
async function posted(bob: MqttClient, seen: ReceivedMessage[], text: string) {
  const last = { id: randomUUID(), from: 'bob', text: 'sentinel', sentAt: Date.now() };
  await bob.publishAsync('chat/general/messages', json(last), { qos: 1 });
  await waitForMessage(seen, (m) => m.payload.includes(last.id));
  const history = t.server.storage.history.page('demo', 'general', { limit: 1_000 }).messages;
  return {
    live: seen.some((m) => m.payload.includes(text)),
    stored: history.some((m) => m.text === text),
  };
}

/** Resolves once the will with `text` has been refused or has reached bob. */
const willSettled = (user: string, seen: ReceivedMessage[], text: string) =>
  eventually(
    () => ownStateOnly(user).length > 0 || seen.some((m) => m.payload.includes(text)),
    2_000,
    'the will refused or delivered',
  );

const ownStateOnly = (user: string) =>
  events.filter(
    (e) => e.event === 'publish_denied' && e.code === 'will_own_state_only' && e.user === user,
  );

describe('a user disabled by an admin', () => {
  it('has their chat will neither delivered nor stored; their presence will still says offline', async () => {
    const { bob, seen } = await watcher();
    const user = await newMember();
    const text = 'POSTED AFTER BEING DISABLED';
    const speaker = await device(user, `${user}-chat`, chatWill(user, text));
    // Says nothing online itself: an offline presence can only come from its will.
    const present = await device(user, `${user}-dev`, presenceWill(user, `${user}-dev`));

    await asAdmin('PATCH', `/api/admin/users/${user}`, { disabled: true });
    await Promise.all([closed(speaker), closed(present)]);

    const offline = await waitForMessage(seen, (m) => m.topic === `presence/${user}/${user}-dev`);
    expect(JSON.parse(offline.payload)).toMatchObject({ status: 'offline' });
    await willSettled(user, seen, text);
    expect(await posted(bob, seen, text)).toEqual({ live: false, stored: false });
    expect(ownStateOnly(user)).toEqual([
      expect.objectContaining({ topic: 'chat/general/messages', level: 40 }),
    ]);
  });
});

describe('a chat will of a connection the server closes', () => {
  it.each<[string, (user: string) => Promise<MqttClient>]>([
    [
      'kicked by an admin',
      async (user) => {
        const client = await device(user, `${user}-kicked`, chatWill(user, `said by ${user}`));
        await asAdmin('POST', `/api/admin/sessions/${user}-kicked/disconnect?user=${user}`);
        return client;
      },
    ],
    [
      'whose token an admin revoked',
      async (user) => {
        const { client, jti } = await tab(user, `${user}-tab`, chatWill(user, `said by ${user}`));
        await asAdmin('POST', `/api/admin/tokens/${jti}/revoke`);
        return client;
      },
    ],
    [
      'whose password an admin reset',
      async (user) => {
        const client = await device(user, `${user}-dev`, chatWill(user, `said by ${user}`));
        await asAdmin('POST', `/api/admin/users/${user}/password`);
        return client;
      },
    ],
    [
      'whose user got a role that cannot use the app',
      async (user) => {
        const { client } = await tab(user, `${user}-tab`, chatWill(user, `said by ${user}`));
        await asAdmin('PATCH', `/api/admin/users/${user}`, { role: 'service' });
        return client;
      },
    ],
  ])('%s: is not posted', async (_case, closeForCause) => {
    const { bob, seen } = await watcher();
    const user = await newMember();
    await closed(await closeForCause(user));
    await willSettled(user, seen, `said by ${user}`);
    expect(await posted(bob, seen, `said by ${user}`)).toEqual({ live: false, stored: false });
    expect(ownStateOnly(user)).toHaveLength(1);
  });

  it('of one that merely dropped: is posted as given', async () => {
    const { bob, seen } = await watcher();
    const user = await newMember();
    const client = await device(user, `${user}-dev`, chatWill(user, `said by ${user}`));
    client.stream.destroy(); // no DISCONNECT: the will fires
    await waitForMessage(seen, (m) => m.payload.includes(`said by ${user}`));
    expect(await posted(bob, seen, `said by ${user}`)).toEqual({ live: true, stored: true });
    expect(ownStateOnly(user)).toEqual([]);
  });
});
