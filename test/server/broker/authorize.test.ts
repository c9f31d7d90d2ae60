import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { effectiveRules } from '../../../src/server/auth/effective-rules';
import type { AclRule } from '../../../src/shared/acl';
import {
  connackCode,
  connect,
  json,
  record,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { eventually } from '../support/eventually';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

const fixture = useTestServer();
const { member, open } = fixture;

async function device(user: string, options: Parameters<typeof connect>[1] = {}) {
  const client = await connect(fixture.server.mqttUrl, {
    username: `${user}@demo`,
    password: DEMO_PASSWORD,
    clientId: `${user}-dev`,
    ...options,
  });
  open.push(client);
  return client;
}

/**
 * Gives a demo user extra rules and applies them to their live connections, as the admin
 * console does; the returned function takes the extra rules away again.
 */
async function giveRulesNow(user: string, rules: AclRule[]): Promise<() => void> {
  const { storage, broker } = fixture.server;
  storage.users.setExtraRules('demo', user, rules);
  const record = storage.users.getUser('demo', user)!;
  await broker.admin.applyRules('demo', user, effectiveRules(storage.users, record));
  return () => storage.users.setExtraRules('demo', user, []);
}

// Each message its own id: the broker routes only one message per id (record-history.ts).
let chats = 0;
const chat = (from: string, text: string, id = `${from}-${text}-${++chats}`) =>
  json({ id, from, text, sentAt: Date.now() });

describe('subscriptions are granted only within the ACL (filter containment)', () => {
  it.each([
    ['alice', ['chat/+/+'], [1]],
    ['alice', ['chat/#'], [128]],
    ['alice', ['#'], [128]],
    ['alice', ['notifications/alice'], [1]],
    ['alice', ['notifications/bob'], [128]],
    ['alice', ['notifications/+'], [128]],
    ['alice', ['$SYS/#'], [128]],
    ['alice', ['agents/+/state', 'agents/+/inbox'], [1, 128]],
    ['admin', ['$SYS/#'], [1]],
  ])('%s subscribing %j gets %j', async (user, filters, grants) => {
    const client = await member(user);
    expect(await subscribeGrants(client, filters)).toEqual(grants);
    expect(client.connected).toBe(true);
  });

  it('an agent reads only its own inbox', async () => {
    const agent = await device('agent-01');
    expect(
      await subscribeGrants(agent, [
        'agents/agent-01/inbox',
        'agents/agent-02/inbox',
        'agents/+/inbox',
      ]),
    ).toEqual([1, 128, 128]);
  });
});

describe('publishes outside the contract are dropped and logged, and the publisher keeps working', () => {
  it.each([
    ['a chat message from someone else', 'alice', 'chat/general/messages', chat('bob', 'forged')],
    ['typing as someone else', 'alice', 'chat/general/typing', json({ from: 'bob', typing: true })],
    ['a chat message that is not JSON', 'alice', 'chat/general/messages', '{oops'],
    [
      'a chat message without text',
      'alice',
      'chat/general/messages',
      json({ id: 'x', from: 'alice', sentAt: 1 }),
    ],
    [
      'a notification by a member',
      'alice',
      'notifications/bob',
      json({ id: 'n', title: 't', body: '', createdAt: 1 }),
    ],
    ['a $SYS topic', 'admin', '$SYS/broker/uptime', '1'],
    [
      'presence for someone else',
      'alice',
      'presence/bob/bob-1',
      json({ status: 'offline', since: 1 }),
    ],
    [
      'presence for another connection of the same user',
      'alice',
      'presence/alice/another-tab',
      json({ status: 'online', since: 1 }),
    ],
  ])('%s', async (_, user, topic, payload) => {
    const watcher = await member('bob');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['chat/+/+', 'presence/+/+', 'notifications/bob']);
    const publisher = await member(user);
    await publisher.publishAsync(topic, payload, { qos: 1 }); // acknowledged [MQTT-3.3.5-2]
    await publisher.publishAsync('chat/general/messages', chat(user, 'after'), { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes('"after"'));
    expect(seen.map((m) => m.payload)).not.toContain(payload);
    expect(publisher.connected).toBe(true);
  });

  it('retains only last-known states: a retained chat message, or an empty one, is dropped', async () => {
    const watcher = await member('bob');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['chat/+/+']);
    const alice = await member('alice');
    const retained = chat('alice', 'sticky');
    await alice.publishAsync('chat/general/messages', retained, { qos: 1, retain: true });
    await alice.publishAsync('chat/random/messages', '', { qos: 1, retain: true });
    const after = chat('alice', 'after');
    await alice.publishAsync('chat/general/messages', after, { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes('"after"'));
    expect(seen.map((m) => m.payload)).toEqual([after]);
    // Nothing was kept for whoever joins next.
    const late = await member('bob');
    const lateSeen = record(late);
    await subscribeGrants(late, ['chat/+/+']);
    await alice.publishAsync('chat/general/messages', chat('alice', 'last'), { qos: 1 });
    await waitForMessage(lateSeen, (m) => m.payload.includes('"last"'));
    expect(lateSeen.map((m) => m.payload)).toHaveLength(1);
    expect(alice.connected).toBe(true);
  });

  it('an agent publishes only under its own agents/<id>/', async () => {
    const watcher = await member('alice');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['agents/+/state']);
    const agent = await device('agent-01');
    const state = (status: string) => json({ status, updatedAt: Date.now() });
    await agent.publishAsync('agents/agent-02/state', state('error'), { qos: 1 });
    await agent.publishAsync('agents/agent-01/state', state('working'), { qos: 1 });
    const got = await waitForMessage(seen, (m) => m.topic === 'agents/agent-01/state');
    expect(got.payload).toContain('working');
    expect(seen.some((m) => m.topic === 'agents/agent-02/state')).toBe(false);
  });

  it('a service sends a notification that only its recipient receives', async () => {
    const bob = await member('bob');
    const bobSeen = record(bob);
    await subscribeGrants(bob, ['notifications/bob']);
    const notifier = await device('notifier');
    const payload = json({
      id: 'n1',
      title: 'Deploy finished',
      body: 'all green',
      createdAt: Date.now(),
    });
    await notifier.publishAsync('notifications/bob', payload, { qos: 1 });
    expect((await waitForMessage(bobSeen, () => true)).payload).toBe(payload);
  });
});

describe('Last Will', () => {
  it('refuses a CONNECT whose will is outside the ACL with Not authorized', async () => {
    const code = await connackCode(fixture.server.mqttUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'will-out',
      will: {
        topic: 'agents/agent-02/state',
        payload: Buffer.from(json({ status: 'offline', updatedAt: 1 })),
        qos: 1,
        retain: true,
      },
    });
    expect(code).toBe(5);
  });

  it('refuses a will of QoS 3 [MQTT-3.1.2-14]; its subscribers stay connected', async () => {
    const watcher = await member('alice');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['agents/+/state']);
    // mqtt.js cannot send it: a CONNECT with a QoS 1 will, both will QoS bits then set.
    const connect = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: 'agent-03-q3',
      keepalive: 0,
      username: 'agent-03@demo',
      password: Buffer.from(DEMO_PASSWORD),
      will: {
        topic: 'agents/agent-03/state',
        payload: Buffer.from(json({ status: 'error', updatedAt: 3 })),
        qos: 1,
        retain: false,
      },
    });
    let flags = 1;
    while (connect[flags]! & 0x80) flags++;
    flags += 1 + 2 + 4 + 1; // past the remaining length, "MQTT" and the protocol level
    connect[flags] = connect[flags]! | 0x18;
    const { port } = new URL(fixture.server.mqttUrl);
    const socket = net.connect(Number(port), '127.0.0.1');
    const connack = new Promise<number>((resolve) => {
      const parser = mqttPacket.parser();
      parser.on('packet', (packet) => resolve((packet as { returnCode: number }).returnCode));
      socket.on('data', (chunk) => parser.parse(chunk));
    });
    socket.write(connect);
    expect(await connack).toBe(5);
    socket.destroy(); // accepted, this would fire the will

    const agent = await device('agent-03');
    await agent.publishAsync('agents/agent-03/state', json({ status: 'idle', updatedAt: 4 }), {
      qos: 1,
    });
    await waitForMessage(seen, (m) => m.payload.includes('idle'));
    expect(watcher.connected).toBe(true);
    expect(seen.some((m) => m.payload.includes('"error"'))).toBe(false);
  });

  it('checks a will again as it goes out: rules narrowed since the CONNECT hold', async () => {
    const watcher = await member('bob');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['chat/+/+']);
    const alice = await member('alice', {
      clientId: 'alice-will-chat',
      will: {
        topic: 'chat/general/messages',
        payload: Buffer.from(chat('alice', 'last words', 'will-chat-1')),
        qos: 1,
        retain: false,
      },
    });
    const { storage, broker } = fixture.server;
    const restore = await giveRulesNow('alice', [
      { permission: 'deny', action: 'publish', topic: 'chat/general/messages' },
    ]);
    try {
      alice.stream.destroy(); // no DISCONNECT: the will would fire
      await eventually(() => !broker.connections().some((id) => id.clientId === 'alice-will-chat'));
      await watcher.publishAsync('chat/general/messages', chat('bob', 'after the will'), {
        qos: 1,
      });
      await waitForMessage(seen, (m) => m.payload.includes('after the will'));
      expect(seen.filter((m) => m.payload.includes('last words'))).toEqual([]);
      expect(storage.history.get('demo', 'general', 'will-chat-1')).toBeUndefined();
    } finally {
      restore();
    }
  });

  it('still sends a will of its own presence after the user was muted (deny publish #)', async () => {
    const topic = 'presence/alice/alice-muted';
    const alice = await member('alice', {
      clientId: 'alice-muted',
      will: {
        topic,
        payload: Buffer.from(json({ status: 'offline', since: 7 })),
        qos: 1,
        retain: true,
      },
    });
    await alice.publishAsync(topic, json({ status: 'online', since: 6 }), { qos: 1, retain: true });
    const restore = await giveRulesNow('alice', [
      { permission: 'deny', action: 'publish', topic: '#' },
    ]);
    try {
      alice.stream.destroy(); // no DISCONNECT: the will fires
      const watcher = await member('bob');
      const seen = record(watcher);
      await subscribeGrants(watcher, ['presence/+/+']);
      await waitForMessage(seen, (m) => m.topic === topic && m.payload.includes('offline'));
    } finally {
      restore();
    }
  });

  it('publishes an allowed will, mounted in the org, when the connection drops', async () => {
    const watcher = await member('alice');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['agents/+/state']);
    const agent = await device('agent-03', {
      will: {
        topic: 'agents/agent-03/state',
        payload: Buffer.from(json({ status: 'offline', updatedAt: 1 })),
        qos: 1,
        retain: true,
      },
    });
    agent.stream.destroy(); // no DISCONNECT: the will fires
    const got = await waitForMessage(
      seen,
      (m) => m.topic === 'agents/agent-03/state' && m.payload.includes('offline'),
    );
    expect(got.qos).toBe(1);
  });
});

describe('QoS', () => {
  it.each([
    ['an exact filter', 'chat/general/messages', 1],
    ['a wildcard filter', 'chat/+/messages', 1],
    ['an exact filter', 'chat/general/messages', 2],
    ['a wildcard filter', 'chat/+/messages', 2],
  ] as const)(
    'sends a QoS 2 message at the QoS %s (%s) was granted, %i [MQTT-3.8.4-6]',
    async (_name, filter, qos) => {
      const bob = await member('bob');
      const seen = record(bob);
      expect(await subscribeGrants(bob, [filter], qos)).toEqual([qos]);
      const alice = await member('alice');
      const text = `q2-${filter}-${qos}`;
      await alice.publishAsync('chat/general/messages', chat('alice', text), { qos: 2 });
      const got = await waitForMessage(seen, (m) => m.payload.includes(text));
      expect(got.qos).toBe(qos);
    },
  );

  it('sends a QoS 2 message queued for a session away at the QoS its filter was granted', async () => {
    const away = await member('bob', { clientId: 'bob-away-q2', clean: false });
    expect(await subscribeGrants(away, ['chat/+/messages'], 1)).toEqual([1]);
    await away.endAsync();
    const alice = await member('alice');
    await alice.publishAsync('chat/general/messages', chat('alice', 'queued-q2'), { qos: 2 });
    const back = await member('bob', { clientId: 'bob-away-q2', clean: false });
    const seen = record(back);
    const got = await waitForMessage(seen, (m) => m.payload.includes('queued-q2'));
    expect(got.qos).toBe(1);
  });
});
