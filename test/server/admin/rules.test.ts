import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import type { Sessions, StoredSession } from '../../../src/shared/admin-api';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { holdNextConnect } from '../support/hold-connect';
import { DEMO_PASSWORD } from '../support/test-server';
import { expectApiError, useAdminServer } from './admin-server';
import { eventually } from '../support/eventually';

// A room the rules deny, not one that is not there (the broker refuses chat to no room).
const t = useAdminServer({
  setup: async (fixture) => void fixture.server.storage.rooms.add('demo', 'secret'),
});
const { open } = t;
let userCount = 0;

/** A fresh member per test, so rule changes never leak between tests. */
async function newMember(): Promise<{ user: string; cookie: string }> {
  const user = `member-${++userCount}`;
  const res = await t.request(t.cookies.admin, 'POST', '/api/admin/users', {
    user,
    role: 'member',
    password: DEMO_PASSWORD,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { user, cookie: await t.signIn(`${user}@demo`) };
}

const putRules = (user: string, rules: unknown) =>
  t.request(t.cookies.admin, 'PUT', `/api/admin/users/${user}/rules`, rules);

/** The admin's view of a persistent session once its client is away. */
async function awaySession(clientId: string): Promise<StoredSession | undefined> {
  await t.untilAway(clientId);
  const sessions = await t.request(t.cookies.admin, 'GET', '/api/admin/sessions');
  return sessions.json<Sessions>().offline.find((session) => session.clientId === clientId);
}

// Ids are kept once per room: each message a new one (the broker drops another message
// under a kept id).
const chat = (from: string, text: string) =>
  json({ id: `${from}-${text}-${randomUUID()}`, from, text, sentAt: Date.now() });

describe('PUT /api/admin/users/:user/rules', () => {
  it('stores the rules, lists them, and puts them before the role template', async () => {
    const { user } = await newMember();
    const rules = [{ permission: 'deny', action: 'publish', topic: 'chat/secret/messages' }];
    const res = await putRules(user, rules);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ user, rules, connections: 0, removedSubscriptions: [] });
    const list = await t.request(t.cookies.admin, 'GET', '/api/admin/users');
    expect(list.json<{ users: { user: string }[] }>().users).toContainEqual(
      expect.objectContaining({ user, rules }),
    );
    expect(t.server.storage.users.extraRules('demo', user)).toEqual(rules);
  });

  it.each([
    ['a bad permission', [{ permission: 'maybe', action: 'publish', topic: 'a' }], 0, 'permission'],
    [
      'an invalid filter in the second rule',
      [
        { permission: 'allow', action: 'publish', topic: 'a' },
        { permission: 'allow', action: 'subscribe', topic: 'chat/#/x' },
      ],
      1,
      'topic',
    ],
    ['a missing action', [{ permission: 'allow', topic: 'a' }], 0, 'action'],
    ['a rule that is not an object', [42], 0, 'rule'],
    // They look like another org's topics, or a placeholder, and would be neither.
    [
      'another org’s mount point',
      [{ permission: 'allow', action: 'all', topic: '$acme/#' }],
      0,
      '$acme',
    ],
    [
      'an unknown placeholder',
      [{ permission: 'allow', action: 'all', topic: 'x/${foo}' }],
      0,
      '${foo}',
    ],
  ])('refuses %s with the index and reason', async (_name, rules, index, field) => {
    const body = expectApiError(await putRules('alice', rules), 400, 'invalid_rule');
    expect(body.error.details).toEqual({ index, reason: expect.stringContaining(field) });
    expect(body.error.message).toContain(`rule ${index}`);
    expect(t.server.storage.users.extraRules('demo', 'alice')).toEqual([]);
  });

  it('refuses a body that is not an array, too many rules, bad JSON and an unknown user', async () => {
    expectApiError(await putRules('alice', { rules: [] }), 400, 'invalid_body');
    const many = Array.from({ length: 101 }, () => ({
      permission: 'allow',
      action: 'publish',
      topic: 'x',
    }));
    expectApiError(await putRules('alice', many), 400, 'too_many_rules');
    const bad = await t.server.http.inject({
      method: 'PUT',
      url: '/api/admin/users/alice/rules',
      headers: { cookie: t.cookies.admin, 'content-type': 'application/json' },
      payload: '[{"permission":',
    });
    expectApiError(bad, 400, 'invalid_json');
    expectApiError(await putRules('nobody', []), 404, 'user_not_found');
  });
});

describe('live effect of narrowing a user’s ACL', () => {
  it('refuses their next publish to the room and stops delivering it, other rooms still flowing', async () => {
    const { user, cookie } = await newMember();
    const { client } = await t.connectWithToken(cookie);
    const watcher = await t.connectWithToken(t.cookies.alice);
    open.push(client, watcher.client);
    const seenByUser = record(client);
    const seenByWatcher = record(watcher.client);
    expect(await subscribeGrants(client, ['chat/+/+'])).toEqual([1]);
    expect(await subscribeGrants(watcher.client, ['chat/+/+'])).toEqual([1]);

    // Before: both ways work.
    await client.publishAsync('chat/general/messages', chat(user, 'before'), { qos: 1 });
    await waitForMessage(seenByWatcher, (m) => m.payload.includes('before'));

    const res = await putRules(user, [
      { permission: 'deny', action: 'all', topic: 'chat/general/#' },
    ]);
    // The wide subscription stays, without the room (evaluateSubscribe).
    expect(res.json()).toMatchObject({ connections: 1, removedSubscriptions: [] });

    // Their publish is acknowledged but goes nowhere.
    await client.publishAsync('chat/general/messages', chat(user, 'after'), { qos: 1 });
    // Others' messages in the room no longer reach them; those in other rooms do, after.
    await watcher.client.publishAsync('chat/general/messages', chat('alice', 'to-all'), {
      qos: 1,
    });
    await watcher.client.publishAsync('chat/random/messages', chat('alice', 'elsewhere'), {
      qos: 1,
    });
    await waitForMessage(seenByWatcher, (m) => m.payload.includes('elsewhere'));
    await waitForMessage(seenByUser, (m) => m.payload.includes('elsewhere'));
    expect(seenByWatcher.some((m) => m.payload.includes('"after"'))).toBe(false);
    expect(seenByUser.some((m) => m.payload.includes('to-all'))).toBe(false);
    expect(client.connected).toBe(true);

    // The wide filter and other rooms can be subscribed again; the room cannot.
    expect(await subscribeGrants(client, ['chat/+/+', 'chat/general/+', 'chat/random/+'])).toEqual([
      1, 128, 1,
    ]);
    await watcher.client.publishAsync('chat/general/messages', chat('alice', 'again'), {
      qos: 1,
    });
    await watcher.client.publishAsync('chat/random/messages', chat('alice', 'last'), { qos: 1 });
    await waitForMessage(seenByUser, (m) => m.payload.includes('last'));
    expect(seenByUser.some((m) => m.payload.includes('again'))).toBe(false);
  });

  it.each([1, 2] as const)(
    'holds nothing for a persistent session from a room it is denied (QoS %i)',
    async (qos) => {
      const { user, cookie } = await newMember();
      await putRules(user, [{ permission: 'deny', action: 'subscribe', topic: 'chat/secret/#' }]);
      const clientId = `${user}-held`;
      const { client } = await t.connectWithToken(cookie, { clientId, clean: false });
      open.push(client);
      const seen = record(client);
      expect(await subscribeGrants(client, ['chat/+/+'])).toEqual([1]);
      const sender = await t.connectWithToken(t.cookies.alice);
      open.push(sender.client);
      // QoS 1 is held in memory for a connected session, QoS 2 goes to disk (outgoing-cache.ts).
      await sender.client.publishAsync('chat/secret/messages', chat('alice', 'hidden'), { qos });
      await sender.client.publishAsync('chat/general/messages', chat('alice', 'shown'), { qos: 1 });
      await waitForMessage(seen, (m) => m.payload.includes('shown'));
      expect(seen.map((m) => m.topic)).toEqual(['chat/general/messages']);

      // aedes queued the secret message for the session before it was withheld; nothing
      // may be left of it, neither held for a PUBACK nor written to disk at the disconnect.
      await client.endAsync();
      expect(await awaySession(clientId)).toEqual({
        clientId,
        user,
        subscriptions: ['chat/+/+'],
        queued: 0,
        lastSeenAt: expect.any(Number), // a token session: it expires
      });
    },
  );

  it('withholds a newly denied room through a subscription granted under the old rules', async () => {
    const { user, cookie } = await newMember();
    const { client } = await t.connectWithToken(cookie, { clientId: `${user}-race`, clean: false });
    open.push(client);
    const seen = record(client);
    // aedes stores a persistent subscription before registering it: the rules change in
    // between, when applying them cannot see the subscription yet.
    const { persistence } = t.server.broker.aedes as unknown as {
      persistence: { addSubscriptions(...args: unknown[]): Promise<unknown> };
    };
    const addSubscriptions = persistence.addSubscriptions.bind(persistence);
    let reach!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    let stored!: () => void;
    const storing = new Promise<void>((resolve) => (stored = resolve));
    persistence.addSubscriptions = async (who, ...rest) => {
      if ((who as { id: string }).id.endsWith(`:${user}-race`)) {
        reach();
        await storing;
      }
      return addSubscriptions(who, ...rest);
    };
    try {
      const granted = subscribeGrants(client, ['chat/+/+']);
      await reached; // granted, and being stored
      const res = await putRules(user, [
        { permission: 'deny', action: 'all', topic: 'chat/general/#' },
      ]);
      expect(res.json()).toMatchObject({ connections: 1, removedSubscriptions: [] });
      stored();
      expect(await granted).toEqual([1]);
    } finally {
      persistence.addSubscriptions = addSubscriptions;
    }
    const sender = await t.connectWithToken(t.cookies.alice);
    open.push(sender.client);
    await sender.client.publishAsync('chat/general/messages', chat('alice', 'denied'), { qos: 1 });
    await sender.client.publishAsync('chat/random/messages', chat('alice', 'allowed'), { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes('allowed'));
    expect(seen.map((m) => m.topic)).toEqual(['chat/random/messages']);
  });

  it('applies a rule change made while the connection was being set up', async () => {
    const { user, cookie } = await newMember();
    const clientId = `${user}-connecting`;
    const first = await t.connectWithToken(cookie, { clientId, clean: false });
    await subscribeGrants(first.client, ['chat/+/+']);
    await first.client.endAsync();
    await t.untilAway(clientId);

    const hold = holdNextConnect(t.server.broker.aedes, clientId, 'subscriptionsByClient');
    try {
      const back = t.connectWithToken(cookie, { clientId, clean: false });
      await hold.reached;
      const res = await putRules(user, [
        { permission: 'deny', action: 'all', topic: 'chat/general/#' },
      ]);
      // Counted among the connections the change reached.
      expect(res.json()).toMatchObject({ connections: 1, removedSubscriptions: [] });
      hold.release();
      const { client } = await back;
      open.push(client);
      const seen = record(client);
      const sender = await t.connectWithToken(t.cookies.alice);
      open.push(sender.client);
      await sender.client.publishAsync('chat/general/messages', chat('alice', 'denied'), {
        qos: 1,
      });
      await sender.client.publishAsync('chat/random/messages', chat('alice', 'allowed'), {
        qos: 1,
      });
      await waitForMessage(seen, (m) => m.payload.includes('allowed'));
      expect(seen.map((m) => m.topic)).toEqual(['chat/random/messages']);
    } finally {
      hold.restore();
    }
  });

  it('checks subscriptions restored under the old rules again when the connection registers', async () => {
    const { user, cookie } = await newMember();
    const clientId = `${user}-restored`;
    const first = await t.connectWithToken(cookie, { clientId, clean: false });
    await subscribeGrants(first.client, ['chat/+/+', `notifications/${user}`]);
    await first.client.endAsync();
    await t.untilAway(clientId);

    // Held after aedes restored chat/+/+ under the old rules, before it registers.
    const hold = holdNextConnect(t.server.broker.aedes, clientId, 'delWill');
    try {
      const back = t.connectWithToken(cookie, { clientId, clean: false });
      await hold.reached;
      await putRules(user, [{ permission: 'deny', action: 'subscribe', topic: 'chat/#' }]);
      hold.release();
      open.push((await back).client);
    } finally {
      hold.restore();
    }
    await eventually(
      async () => {
        const sessions = await t.request(t.cookies.admin, 'GET', '/api/admin/sessions');
        const live = sessions.json<{ live: { clientId: string; subscriptions: string[] }[] }>()
          .live;
        const session = live.find((s) => s.clientId === clientId);
        return session?.subscriptions.join(' ') === `notifications/${user}`;
      },
      5_000,
      'chat/+/+ removed from the registered connection',
    );
  });

  it.each([
    ['a fresh session', false],
    ['a stored session, which it keeps whole', true],
  ])(
    'closes a connection being set up when its user is disabled meanwhile: %s',
    async (_name, stored) => {
      const { user, cookie } = await newMember();
      const clientId = `${user}-late`;
      const sender = await t.connectWithToken(t.cookies.alice);
      open.push(sender.client);
      const send = (text: string) =>
        sender.client.publishAsync('chat/general/messages', chat('alice', text), { qos: 1 });
      if (stored) {
        const first = await t.connectWithToken(cookie, { clientId, clean: false });
        await subscribeGrants(first.client, ['chat/+/+']);
        await first.client.endAsync();
        await t.untilAway(clientId);
        await send('queued-1');
        await send('queued-2');
      }
      const token = await t.request(cookie, 'POST', '/api/token', { clientId });
      const { username, password } = token.json<Record<string, string>>();
      // Held after its session was restored, before aedes registers it.
      const hold = holdNextConnect(t.server.broker.aedes, clientId, 'delWill');
      try {
        const client = mqtt.connect(t.server.wsUrl, {
          username,
          password,
          clientId,
          clean: false,
          reconnectPeriod: 0,
          protocolVersion: 4,
        });
        open.push(client);
        const seen = record(client);
        // With a stored session aedes may still send its CONNACK: closed right after.
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        await hold.reached;
        const res = await t.request(t.cookies.admin, 'PATCH', `/api/admin/users/${user}`, {
          disabled: true,
        });
        expect(res.json()).toMatchObject({ disabled: true });
        if (stored) await send('while-closing');
        hold.release();
        await closed;
        expect(seen).toEqual([]);
      } finally {
        hold.restore();
      }
      if (!stored) return;
      // Disabled, not deleted: the session stays as it was, queue and all, for when they
      // are enabled again.
      expect(await awaySession(clientId)).toEqual({
        clientId,
        user,
        subscriptions: ['chat/+/+'],
        queued: 3,
        lastSeenAt: expect.any(Number),
      });
    },
  );

  it('keeps a removed subscription out of the persistent session after a reconnect', async () => {
    const { user, cookie } = await newMember();
    const clientId = `${user}-tab`;
    const first = await t.connectWithToken(cookie, { clientId, clean: false });
    open.push(first.client);
    await subscribeGrants(first.client, ['chat/+/+', 'notifications/' + user]);
    await putRules(user, [{ permission: 'deny', action: 'subscribe', topic: 'chat/#' }]);
    await first.client.endAsync();
    expect(await awaySession(clientId)).toMatchObject({
      user,
      subscriptions: [`notifications/${user}`],
    });
  });

  it('removes a now-forbidden subscription from an away persistent session too', async () => {
    const { user, cookie } = await newMember();
    const clientId = `${user}-away`;
    const first = await t.connectWithToken(cookie, { clientId, clean: false });
    await subscribeGrants(first.client, ['chat/+/+', `notifications/${user}`]);
    await first.client.endAsync();
    await t.untilAway(clientId);

    const res = await putRules(user, [{ permission: 'deny', action: 'all', topic: 'chat/#' }]);
    expect(res.json()).toMatchObject({ connections: 0, removedSubscriptions: ['chat/+/+'] });
    // Nothing more is queued for it from the rooms.
    const sender = await t.connectWithToken(t.cookies.alice);
    open.push(sender.client);
    await sender.client.publishAsync('chat/general/messages', chat('alice', 'while-away'), {
      qos: 1,
    });
    expect(await awaySession(clientId)).toEqual({
      clientId,
      user,
      subscriptions: [`notifications/${user}`],
      queued: 0,
      lastSeenAt: expect.any(Number),
    });
  });

  it('does not deliver what was queued for an away session before its user was denied it', async () => {
    const { user, cookie } = await newMember();
    const clientId = `${user}-queued`;
    const first = await t.connectWithToken(cookie, { clientId, clean: false });
    await subscribeGrants(first.client, ['chat/+/+']);
    await first.client.endAsync();
    await t.untilAway(clientId);
    const sender = await t.connectWithToken(t.cookies.alice);
    open.push(sender.client);
    for (const text of ['ops-1', 'ops-2'])
      await sender.client.publishAsync('chat/ops/messages', chat('alice', text), { qos: 1 });
    await sender.client.publishAsync('chat/general/messages', chat('alice', 'general-1'), {
      qos: 1,
    });

    await putRules(user, [{ permission: 'deny', action: 'all', topic: 'chat/ops/#' }]);
    // The queue is sent after the CONNACK, from storage: it has not started yet when the
    // connection resolves.
    const back = await t.connectWithToken(cookie, { clientId, clean: false });
    open.push(back.client);
    const seen = record(back.client);
    await waitForMessage(seen, (m) => m.payload.includes('general-1'));
    // The ops messages were queued before it, and none came.
    expect(seen.map((m) => m.topic)).toEqual(['chat/general/messages']);
  });

  it('applies a role change to live connections', async () => {
    const { user, cookie } = await newMember();
    // A device on their password stays, under the new role's rules; the app's connection
    // closes: an agent cannot use the app (users.test.ts).
    const client = await connect(t.server.mqttUrl, {
      username: `${user}@demo`,
      password: DEMO_PASSWORD,
      clientId: `${user}-device`,
    });
    const app = await t.connectWithToken(cookie);
    open.push(client, app.client);
    await subscribeGrants(client, ['chat/+/+', 'agents/+/state']);
    const res = await t.request(t.cookies.admin, 'PATCH', `/api/admin/users/${user}`, {
      role: 'agent',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ user, role: 'agent' });
    const audit = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1');
    expect(audit.json<{ entries: unknown[] }>().entries[0]).toMatchObject({
      action: 'user.role',
      target: user,
      detail: {
        from: 'member',
        to: 'agent',
        connections: 1,
        removedSubscriptions: ['agents/+/state', 'chat/+/+'],
        disconnected: 1,
      },
    });
    expect(client.connected).toBe(true);
    // An agent publishes only its own state.
    const watcher = await connect(t.server.mqttUrl, {
      username: 'notifier@demo',
      password: DEMO_PASSWORD,
      clientId: 'rules-watcher',
    });
    open.push(watcher);
    const seen = record(watcher);
    await subscribeGrants(watcher, ['chat/+/+']);
    await client.publishAsync('chat/general/messages', chat(user, 'as-agent'), { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([]);
  });
});

describe('POST /api/admin/acl-check', () => {
  const check = (body: unknown) => t.request(t.cookies.admin, 'POST', '/api/admin/acl-check', body);

  it.each([
    ['alice', 'publish', 'chat/general/messages', true, 'role', 'chat/+/messages'],
    ['alice', 'subscribe', 'chat/+/+', true, 'role', 'chat/+/+'],
    ['alice', 'subscribe', 'notifications/bob', false, 'role', '#'],
    ['alice', 'publish', 'presence/bob/tab-1', false, 'role', '#'],
    // Presence is per connection: without a client id the rule naming it never applies.
    ['alice', 'publish', 'presence/alice/tab-1', false, 'role', '#'],
    ['admin', 'subscribe', '$SYS/#', true, 'role', '$SYS/#'],
    ['alice', 'subscribe', '$SYS/#', false, 'default', null],
  ])('%s %s %s → allowed %s by %s', async (user, action, topic, allowed, source, ruleTopic) => {
    const res = await check({ user, action, topic });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ allowed: boolean; source: string; rule: { topic: string } | null }>();
    expect({ allowed: body.allowed, source: body.source, rule: body.rule?.topic ?? null }).toEqual({
      allowed,
      source,
      rule: ruleTopic,
    });
  });

  it('allows presence only on the connection’s own client id', async () => {
    const asTab = async (topic: string) => {
      const res = await check({ user: 'alice', action: 'publish', topic, clientId: 'tab-1' });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{
        allowed: boolean;
        rule: { topic: string } | null;
        clientIdRules: unknown[];
      }>();
    };
    expect(await asTab('presence/alice/tab-1')).toMatchObject({
      allowed: true,
      rule: { topic: 'presence/${username}/${clientid}' },
    });
    expect(await asTab('presence/alice/tab-2')).toMatchObject({ allowed: false });
    expect((await asTab('presence/alice/tab-1')).clientIdRules).toEqual([]);

    // Asked without one, the answer names the rule that was skipped.
    const presenceRule = {
      permission: 'allow',
      action: 'publish',
      topic: 'presence/${username}/${clientid}',
    };
    const without = await check({
      user: 'alice',
      action: 'publish',
      topic: 'presence/alice/tab-1',
    });
    expect(without.json()).toMatchObject({ allowed: false, clientIdRules: [presenceRule] });
    // Only where it could apply: not to someone else's presence, nor to chat.
    for (const topic of ['presence/bob/tab-1', 'chat/general/messages']) {
      const other = await check({ user: 'alice', action: 'publish', topic });
      expect(other.json()).toMatchObject({ clientIdRules: [] });
    }
  });

  it('names no skipped rule behind the deciding one, and takes an empty client id as none', async () => {
    const { user } = await newMember();
    const question = { user, action: 'publish', topic: `presence/${user}/tab-1` };
    expect((await check(question)).json()).toMatchObject({
      allowed: false,
      clientIdRules: [expect.objectContaining({ topic: 'presence/${username}/${clientid}' })],
    });
    expect((await check({ ...question, clientId: '' })).json()).toMatchObject({
      allowed: false,
      clientIdRules: [expect.objectContaining({ topic: 'presence/${username}/${clientid}' })],
    });
    // Denied by an extra rule ahead of it: no client id would change that.
    await putRules(user, [{ permission: 'deny', action: 'all', topic: 'presence/#' }]);
    expect((await check(question)).json()).toMatchObject({
      allowed: false,
      source: 'extra',
      clientIdRules: [],
    });
  });

  it('names an extra rule as the source, as the broker would decide', async () => {
    const { user } = await newMember();
    const deny = { permission: 'deny', action: 'publish', topic: 'chat/secret/messages' };
    await putRules(user, [deny]);
    const res = await check({ user, action: 'publish', topic: 'chat/secret/messages' });
    expect(res.json()).toMatchObject({ allowed: false, source: 'extra', rule: deny });
    const other = await check({ user, action: 'publish', topic: 'chat/open/messages' });
    expect(other.json()).toMatchObject({ allowed: true, source: 'role' });
    expect(roleRules('member')).toContainEqual(other.json<{ rule: unknown }>().rule);
  });

  it('lists the deny rules a granted subscription excludes part of its topics by', async () => {
    const { user } = await newMember();
    const deny = { permission: 'deny', action: 'all', topic: 'chat/secret/#' };
    await putRules(user, [deny]);
    const wide = await check({ user, action: 'subscribe', topic: 'chat/+/+' });
    expect(wide.json()).toMatchObject({
      allowed: true,
      source: 'role',
      rule: { topic: 'chat/+/+' },
      excluded: [deny],
    });
    const room = await check({ user, action: 'subscribe', topic: 'chat/secret/+' });
    expect(room.json()).toMatchObject({
      allowed: false,
      source: 'extra',
      rule: deny,
      excluded: [],
    });
    const publish = await check({ user, action: 'publish', topic: 'chat/open/messages' });
    expect(publish.json()).toMatchObject({ allowed: true, excluded: [] });
  });

  it('refuses a bad action, a bad topic and an unknown user', async () => {
    expectApiError(
      await check({ user: 'alice', action: 'read', topic: 'a' }),
      400,
      'invalid_action',
    );
    expectApiError(
      await check({ user: 'alice', action: 'publish', topic: 'chat/+/messages' }),
      400,
      'invalid_topic',
    );
    expectApiError(
      await check({ user: 'alice', action: 'subscribe', topic: 'chat/#/x' }),
      400,
      'invalid_topic',
    );
    expectApiError(
      await check({ user: 'nobody', action: 'publish', topic: 'a' }),
      404,
      'user_not_found',
    );
    expectApiError(await check({ user: 'alice' }), 400, 'invalid_body');
  });
});
