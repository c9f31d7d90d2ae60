import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
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
import type { ChatMessage } from '../../../src/shared/schemas';
import { DEMO_PASSWORD } from '../support/test-server';

// A chat message or notification is kept once per id (history-store.ts, notification-store.ts),
// and the broker routes only what it keeps (record-history.ts): the same message again (a
// QoS 1 resend whose PUBACK was lost) is acknowledged and not delivered twice; another one
// under a kept id is acknowledged [MQTT-3.3.5-2], routed nowhere and logged as refused.
// Before, both went live to everyone and never into the history. A Last Will, sent again in
// every CONNECT, is a message of its own at each firing, under an id of its own
// (restamp-will.ts).

const { logger, events } = captureLog(); // the server's log, as objects
const t = useTestServer({ logger });
afterEach(() => {
  events.length = 0; // each test's log checks see only its own lines
});

const chat = (from: string, text: string, id: string = randomUUID()) => ({
  id,
  from,
  text,
  sentAt: Date.now(),
});
const notification = (title: string, id: string = randomUUID()) => ({
  id,
  title,
  body: '',
  createdAt: Date.now(),
});

const ofId = (seen: ReceivedMessage[], id: string) =>
  seen.filter((m) => (JSON.parse(m.payload) as { id?: string }).id === id);

const refusals = (code: string) =>
  events.filter((e) => e.event === 'publish_denied' && e.code === code);

/** bob, watching every room: what he receives. */
async function watcher() {
  const bob = await t.member('bob');
  const seen = record(bob);
  await subscribeGrants(bob, ['chat/+/messages']);
  return { bob, seen };
}

/** `client` sends a sentinel to #general; resolves once the watcher has it. */
async function sentinel(client: MqttClient, from: string, seen: ReceivedMessage[]) {
  const last = chat(from, 'sentinel');
  await client.publishAsync('chat/general/messages', json(last), { qos: 1 });
  await waitForMessage(seen, (m) => m.payload.includes(last.id));
}

const historyOf = (id: string) =>
  t.server.storage.history
    .page('demo', 'general', { limit: 1_000 })
    .messages.filter((m) => m.id === id);

describe('a chat message under an id the room’s history holds', () => {
  it.each([0, 1, 2] as const)(
    'from another sender (QoS %i): acknowledged, delivered to no one, not stored, logged',
    async (qos) => {
      const { bob, seen } = await watcher();
      const original = chat('bob', 'the real one');
      await bob.publishAsync('chat/general/messages', json(original), { qos: 1 });
      await waitForMessage(seen, (m) => m.payload.includes(original.id));

      const alice = await t.member('alice');
      const reused = chat('alice', 'EPHEMERAL', original.id);
      await alice.publishAsync('chat/general/messages', json(reused), { qos }); // acknowledged
      await sentinel(alice, 'alice', seen);

      expect(seen.some((m) => m.payload.includes('EPHEMERAL'))).toBe(false);
      expect(historyOf(original.id)).toEqual([original]);
      expect(alice.connected).toBe(true);
      expect(refusals('id_taken')).toEqual([
        expect.objectContaining({
          level: 40,
          topic: 'chat/general/messages',
          org: 'demo',
          user: 'alice',
        }),
      ]);
    },
  );

  it('from its own sender with other text: not delivered, not stored, logged', async () => {
    const { seen } = await watcher();
    const alice = await t.member('alice');
    const first = chat('alice', 'first');
    await alice.publishAsync('chat/general/messages', json(first), { qos: 1 });
    await alice.publishAsync('chat/general/messages', json({ ...first, text: 'EPHEMERAL' }), {
      qos: 1,
    });
    await sentinel(alice, 'alice', seen);
    expect(ofId(seen, first.id).map((m) => m.payload)).toEqual([json(first)]);
    expect(historyOf(first.id)).toEqual([first]);
    expect(refusals('id_taken')).toHaveLength(1);
  });

  it('in another room is a message of its own', async () => {
    const { seen } = await watcher(); // #random is one of the demo rooms
    const alice = await t.member('alice');
    const message = chat('alice', 'in general');
    await alice.publishAsync('chat/general/messages', json(message), { qos: 1 });
    const elsewhere = { ...message, text: 'in random' };
    await alice.publishAsync('chat/random/messages', json(elsewhere), { qos: 1 });
    await sentinel(alice, 'alice', seen);
    expect(ofId(seen, message.id).map((m) => m.topic)).toEqual([
      'chat/general/messages',
      'chat/random/messages',
    ]);
    expect(refusals('id_taken')).toEqual([]);
  });
});

describe('the same chat message sent again (its PUBACK lost, a reconnect)', () => {
  it.each([
    ['as a DUP resend on the same connection', false],
    ['by a new connection of its sender', true],
  ])('%s: acknowledged, delivered once, stored once, not refused', async (_case, reconnect) => {
    const { seen } = await watcher();
    const alice = await t.member('alice');
    const message = chat('alice', 'said once');
    await alice.publishAsync('chat/general/messages', json(message), { qos: 1 });
    const again = reconnect ? await t.member('alice') : alice;
    // Resolves only once acknowledged: a resend left unacknowledged is sent for ever.
    await again.publishAsync('chat/general/messages', json(message), { qos: 1, dup: true });
    await sentinel(again, 'alice', seen);
    expect(ofId(seen, message.id)).toHaveLength(1);
    expect(historyOf(message.id)).toEqual([message]);
    expect(events.filter((e) => e.event === 'publish_denied')).toEqual([]);
  });

  it('twice in one read: delivered once', async () => {
    const { seen } = await watcher();
    const alice = await t.member('alice');
    const message = chat('alice', 'said once, sent twice at once');
    // Both leave in one write, so the broker reads them together: one batch of history.
    await Promise.all([
      alice.publishAsync('chat/general/messages', json(message), { qos: 1 }),
      alice.publishAsync('chat/general/messages', json(message), { qos: 1, dup: true }),
    ]);
    await sentinel(alice, 'alice', seen);
    expect(ofId(seen, message.id)).toHaveLength(1);
    expect(historyOf(message.id)).toEqual([message]);
  });
});

describe('a chat Last Will', () => {
  /** The chat messages bob has seen that say `text`. */
  const saying = (seen: ReceivedMessage[], text: string) =>
    seen.map((m) => JSON.parse(m.payload) as ChatMessage).filter((m) => m.text === text);

  it('speaks at each drop of a connection that armed it (the same will in every CONNECT)', async () => {
    const { seen } = await watcher();
    const clientId = `alice-${randomUUID().slice(0, 8)}`;
    const armed = chat('alice', `alice lost her connection (${clientId})`);
    const will = {
      topic: 'chat/general/messages',
      payload: Buffer.from(json(armed)),
      qos: 1 as const,
      retain: false,
    };
    for (const drop of [1, 2, 3]) {
      const alice = await t.member('alice', { clientId, will });
      alice.stream.destroy(); // no DISCONNECT: the will fires
      await eventually(() => saying(seen, armed.text).length === drop, 2_000, `will ${drop}`);
    }
    expect(events.filter((e) => e.event === 'publish_denied')).toEqual([]);
    // Each firing a message of its own, kept under its id: the will's, marked with its time.
    const fired = saying(seen, armed.text);
    expect(new Set(fired.map((m) => m.id)).size).toBe(3);
    for (const { id, sentAt } of fired) expect(id).toBe(`${armed.id}~${sentAt.toString(36)}`);
    const kept = t.server.storage.history
      .page('demo', 'general', { limit: 1_000 })
      .messages.filter((m) => m.text === armed.text);
    expect(kept).toEqual(fired);
  });

  it('armed under an id the room’s history holds: goes out under its own, the kept one untouched', async () => {
    const { bob, seen } = await watcher();
    const original = chat('bob', 'the real one');
    await bob.publishAsync('chat/general/messages', json(original), { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes(original.id));
    const text = `alice went away (${original.id})`;
    const alice = await t.member('alice', {
      will: {
        topic: 'chat/general/messages',
        payload: Buffer.from(json(chat('alice', text, original.id))),
        qos: 1,
        retain: false,
      },
    });
    alice.stream.destroy();
    await eventually(() => saying(seen, text).length === 1, 2_000, 'will');
    const [fired] = saying(seen, text);
    expect(fired?.id).toMatch(new RegExp(`^${original.id}~[0-9a-z]+$`));
    expect(ofId(seen, original.id).map((m) => m.payload)).toEqual([json(original)]);
    expect(historyOf(original.id)).toEqual([original]);
    expect(events.filter((e) => e.event === 'publish_denied')).toEqual([]);
  });
});

describe('a notification under an id the inbox holds', () => {
  /** The demo org's service account, as a script sending notifications connects. */
  async function notifier(options: Parameters<typeof connect>[1] = {}) {
    const client = await connect(t.server.mqttUrl, {
      username: 'notifier@demo',
      password: DEMO_PASSWORD,
      clientId: `notifier-${randomUUID().slice(0, 8)}`,
      ...options,
    });
    t.open.push(client);
    return client;
  }

  it('is delivered once when sent again, and not at all when it is another one', async () => {
    const bob = await t.member('bob');
    const seen = record(bob);
    await subscribeGrants(bob, ['notifications/bob']);
    const sender = await notifier();
    const first = notification('first');
    await sender.publishAsync('notifications/bob', json(first), { qos: 1 });
    await sender.publishAsync('notifications/bob', json(first), { qos: 1, dup: true }); // acked
    expect(refusals('id_taken')).toEqual([]);
    const other = notification('EPHEMERAL', first.id);
    await sender.publishAsync('notifications/bob', json(other), { qos: 1 }); // acknowledged
    const last = notification('sentinel');
    await sender.publishAsync('notifications/bob', json(last), { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes(last.id));

    expect(ofId(seen, first.id).map((m) => m.payload)).toEqual([json(first)]);
    const inbox = t.server.storage.notifications.page('demo', 'bob', { limit: 1_000 });
    expect(inbox.notifications.filter((n) => n.id === first.id)).toEqual([
      { ...first, read: false },
    ]);
    expect(refusals('id_taken')).toEqual([
      expect.objectContaining({ topic: 'notifications/bob', org: 'demo', user: 'notifier' }),
    ]);
  });

  it('armed as a Last Will: delivered and kept at each drop', async () => {
    const bob = await t.member('bob');
    const seen = record(bob);
    await subscribeGrants(bob, ['notifications/bob']);
    const armed = notification(`the notifier went away (${randomUUID()})`);
    const will = {
      topic: 'notifications/bob',
      payload: Buffer.from(json(armed)),
      qos: 1 as const,
      retain: false,
    };
    const clientId = `notifier-${randomUUID().slice(0, 8)}`;
    const fired = () => seen.filter((m) => m.payload.includes(armed.title));
    for (const drop of [1, 2]) {
      (await notifier({ clientId, will })).stream.destroy();
      await eventually(() => fired().length === drop, 2_000, `drop ${drop}`);
    }
    expect(events.filter((e) => e.event === 'publish_denied')).toEqual([]);
    const ids = fired().map((m) => (JSON.parse(m.payload) as { id: string }).id);
    expect(new Set(ids).size).toBe(2);
    const inbox = t.server.storage.notifications.page('demo', 'bob', { limit: 1_000 });
    expect(inbox.notifications.filter((n) => ids.includes(n.id)).map((n) => n.title)).toEqual([
      armed.title,
      armed.title,
    ]);
  });
});
