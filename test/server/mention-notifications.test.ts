import { randomUUID } from 'node:crypto';
import type { Aedes } from 'aedes';
import { describe, expect, it } from 'vitest';
import { createMentionNotifications } from '../../src/server/mention-notifications';
import type { AppNotification } from '../../src/shared/schemas';
import { captureLog } from './support/captured-log';
import { eventually } from './support/eventually';
import { json, record, subscribeGrants, waitForMessage } from './support/mqtt-clients';
import { useTestServer } from './support/server-fixture';

// `@bob` in a chat message puts a notification in bob's inbox, live if he is connected,
// linking to the room (mention-notifications.ts): only people who use the app and may read
// the room, never the sender, each message once.

const t = useTestServer({
  async setup(server) {
    const { users } = server.storage;
    users.addUser({ org: 'demo', user: 'carol', role: 'member', passwordHash: 'hash' });
    users.setExtraRules('demo', 'carol', [
      { permission: 'deny', action: 'subscribe', topic: 'chat/ops/#' },
    ]);
    users.addUser({ org: 'demo', user: 'dave', role: 'member', passwordHash: 'hash' });
    users.setDisabled('demo', 'dave', true);
  },
});

const inbox = (user: string): AppNotification[] =>
  t.server.storage.notifications
    .page('demo', user, { limit: 100 })
    .notifications.map(({ read: _, ...notification }) => notification);

const bodies = (user: string) => inbox(user).map((n) => n.body);

// Each sender may notify each person a few times a minute: the tests share the senders.
async function post(room: string, text: string, id = randomUUID(), from = 'alice') {
  const sender = await t.member(from);
  await sender.publishAsync(`chat/${room}/messages`, json({ id, from, text, sentAt: Date.now() }), {
    qos: 1,
  });
  return id;
}

/** Mentions bob in a message of its own and waits for it: what came before has landed. */
async function settle() {
  const marker = `marker ${randomUUID()}`;
  await post('general', `@bob ${marker}`, randomUUID(), 'admin');
  await eventually(() => bodies('bob').includes(`@bob ${marker}`), 5_000, 'the marker');
}

describe('mentions', () => {
  it('notify the person named, live and in their inbox, with a link to the room', async () => {
    const bob = await t.member('bob');
    await subscribeGrants(bob, ['notifications/bob']);
    const received = record(bob);
    await post('general', 'hey @Bob, the deploy is done');
    // The PUBACK came: the notice is kept with the message, before it goes out live (a
    // crash from here on loses neither).
    const kept = inbox('bob').find((n) => n.body === 'hey @Bob, the deploy is done');
    expect(kept).toBeDefined();
    const live = await waitForMessage(received, (m) => m.topic === 'notifications/bob');
    const notification = JSON.parse(live.payload) as AppNotification;
    expect(notification).toEqual({
      id: expect.stringMatching(/^mention-[A-Za-z0-9_-]{32}$/),
      title: 'alice mentioned you in #general',
      body: 'hey @Bob, the deploy is done',
      link: '#/rooms/general',
      createdAt: expect.any(Number),
    });
    expect(live.qos).toBe(1);
    expect(kept).toEqual(notification);
  });

  it('notify nobody who may not read the room, nor the sender, services, agents or the disabled', async () => {
    // bob, named too, shows each message was written and handed on.
    await post('ops', '@carol @alice @notifier @agent-01 @dave @nobody @bob ops only');
    await post('general', '@alice @notifier @agent-01 @dave @bob in general');
    await eventually(() => bodies('bob').some((body) => body.endsWith('in general')), 5_000);
    expect(bodies('bob')).toContain(
      '@carol @alice @notifier @agent-01 @dave @nobody @bob ops only',
    );
    for (const user of ['carol', 'alice', 'notifier', 'agent-01', 'dave']) {
      expect(inbox(user), user).toEqual([]);
    }
    await post('general', '@carol you may read this one');
    await eventually(() => inbox('carol').length > 0, 5_000);
    expect(bodies('carol')).toEqual(['@carol you may read this one']);
  });

  it('notify once per message: a resend of it does not notify again', async () => {
    const bob = await t.member('bob');
    await subscribeGrants(bob, ['notifications/bob']);
    const received = record(bob);
    const id = await post('random', '@bob once');
    await post('random', '@bob once', id); // a QoS 1 resend whose PUBACK was lost
    await settle();
    await waitForMessage(received, (m) => m.payload.includes('marker'));
    const live = received.filter((m) => m.payload.includes('@bob once'));
    expect(live).toHaveLength(1);
    expect(bodies('bob').filter((body) => body === '@bob once')).toHaveLength(1);
  });

  it('name the room by its name, and quote a long message in part', async () => {
    t.server.storage.rooms.add('demo', 'launch', 'Launch 🚀 room');
    const text = `@bob! ${'🚀'.repeat(200)}`; // the cut falls inside a 🚀
    await post('launch', text);
    await eventually(() => inbox('bob').some((n) => n.link === '#/rooms/launch'), 5_000);
    const { title, body } = inbox('bob').find((n) => n.link === '#/rooms/launch')!;
    expect(title).toBe('alice mentioned you in #Launch 🚀 room');
    expect(body.length).toBeLessThanOrEqual(280);
    expect(body.endsWith('🚀…')).toBe(true); // no half of a character before the ellipsis
  });
});

describe('createMentionNotifications', () => {
  // The server's storage (users, rules, rooms); publishes caught instead of routed.
  function notifier() {
    const published: { to: string; notification: AppNotification }[] = [];
    const { logger, events } = captureLog();
    const clock = { now: 1_800_000_000_000 };
    const aedes = {
      publish(packet: { topic: string; payload: Buffer }, done: (error?: Error) => void) {
        const to = packet.topic.split('/').pop()!;
        published.push({ to, notification: JSON.parse(packet.payload.toString()) });
        setImmediate(done); // aedes calls back once the message is routed
      },
    } as unknown as Aedes;
    const mentions = createMentionNotifications({
      storage: t.server.storage,
      aedes: () => aedes,
      logger,
      now: () => clock.now,
    });
    const write = (text: string, from = 'alice') => {
      // Ids of their own: the inboxes are the server's, shared by the file's tests.
      mentions.written('demo', 'general', { id: randomUUID(), from, text, sentAt: clock.now });
      mentions.committed();
    };
    return { mentions, write, published, events, clock };
  }
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('lets one sender notify one person a few times a minute, then drops the rest and says so once', async () => {
    const { write, published, events, clock } = notifier();
    for (let i = 0; i < 9; i++) write(`@bob ping ${i}`);
    write('@bob from admin', 'admin'); // another sender has a window of its own
    await nextTurn();
    const toBob = () => published.filter((p) => p.to === 'bob').map((p) => p.notification.body);
    expect(toBob()).toEqual([
      ...Array.from({ length: 6 }, (_, i) => `@bob ping ${i}`),
      '@bob from admin',
    ]);
    expect(events.filter((e) => e.event === 'mention_throttled')).toEqual([
      expect.objectContaining({ org: 'demo', from: 'alice', to: 'bob', perMinute: 6 }),
    ]);

    clock.now += 60_000; // the next minute
    write('@bob again');
    await nextTurn();
    expect(toBob()).toContain('@bob again');
  });

  it('quotes a long message where it names the person, cut between characters as seen', async () => {
    const { write, published } = notifier();
    const family = '👨‍👩‍👧‍👦'; // one character of 11 UTF-16 units
    write(`${family.repeat(40)} @bob`);
    write(`${'\u200B'.repeat(300)} @bob look`);
    write(`@bob ${'a'.repeat(400)}`);
    await nextTurn();
    expect(published.map((p) => p.notification.body)).toEqual([
      `…${family.repeat(5)} @bob`,
      `…${'\u200B'.repeat(59)} @bob look`,
      `@bob ${'a'.repeat(274)}…`,
    ]);
  });

  it('keeps the notices in the message’s transaction, and publishes them only once committed', async () => {
    const { mentions, published } = notifier();
    const { storage } = t.server;
    const text = `@carol look ${randomUUID()}`;
    const message = (id: string) => ({ id, from: 'alice', text, sentAt: 1 });
    const carolHas = () => bodies('carol').includes(text);

    // A batch that fails: its notices go with it, and nothing is published.
    expect(() =>
      storage.transaction(() => {
        mentions.written('demo', 'general', message('t1'));
        throw new Error('the batch failed');
      }),
    ).toThrow('the batch failed');
    mentions.rolledBack();
    mentions.committed();
    await nextTurn();
    expect(carolHas()).toBe(false);
    expect(published).toEqual([]);

    // One that commits: in the inbox at the commit, live only after it.
    storage.transaction(() => mentions.written('demo', 'general', message('t2')));
    expect(carolHas()).toBe(true);
    expect(published).toEqual([]);
    mentions.committed();
    expect(published).toEqual([]); // not in the turn whose sends are leaving
    await nextTurn();
    expect(published.map((p) => p.to)).toEqual(['carol']);
  });

  it('stopping publishes what waits and resolves once aedes took it; after that nothing', async () => {
    const { mentions, write, published } = notifier();
    write('@bob just before the end');
    const stopped = mentions.stop();
    expect(published.map((p) => p.notification.body)).toEqual(['@bob just before the end']);
    await stopped;
    write('@bob after the end');
    await nextTurn();
    expect(published).toHaveLength(1);
  });
});
