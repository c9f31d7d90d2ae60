import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/server/cli/run-cli';
import { openStorage } from '../../../src/server/storage';
import { roleRules } from '../../../src/shared/acl';
import { MAX_SENT_AT_AHEAD_MS } from '../../../src/server/broker/check-chat';
import {
  connackCode,
  json,
  record,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { captureLog } from '../support/captured-log';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// What the broker accepts on chat/<room>/…: only rooms of the publisher's org, and only a
// sentAt the timeline can place (check-chat.ts), with rooms created while it runs found
// at once, whichever process created them.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const { logger, events } = captureLog(); // the server's log, as objects
const t = useTestServer({
  logger,
  setup: async (server) => {
    server.storage.users.addOrg('acme');
    server.storage.rooms.add('acme', 'elsewhere');
  },
});
afterEach(() => {
  events.length = 0; // each test's log checks see only its own lines
});

const message = (text: string, sentAt = Date.now()) => ({
  id: randomUUID(),
  from: 'alice',
  text,
  sentAt,
});

/**
 * alice publishes `payload` to `topic`, then a sentinel to #general; resolves with what bob
 * (subscribed to every room) received by the time the sentinel reached him.
 */
async function publishThenSentinel(topic: string, payload: string) {
  const bob = await t.member('bob');
  const seen = record(bob);
  await subscribeGrants(bob, ['chat/+/+']);
  const alice = await t.member('alice');
  await alice.publishAsync(topic, payload, { qos: 1 }); // acknowledged [MQTT-3.3.5-2]
  const sentinel = message('sentinel');
  await alice.publishAsync('chat/general/messages', json(sentinel), { qos: 1 });
  await waitForMessage(seen, (m) => m.payload.includes(sentinel.id));
  expect(alice.connected).toBe(true);
  return seen.map((m) => m.payload);
}

const deniedAs = (code: string, topic: string) =>
  events.some(
    (e) =>
      e.event === 'publish_denied' &&
      e.code === code &&
      e.topic === topic &&
      e.org === 'demo' &&
      e.user === 'alice',
  );

describe('a chat message’s sentAt', () => {
  it.each<[string, () => number, string]>([
    ['a year ahead of the server’s clock', () => Date.now() + 365 * DAY, 'sent_at_ahead'],
    ['past the allowed skew', () => Date.now() + MAX_SENT_AT_AHEAD_MS + 60_000, 'sent_at_ahead'],
    ['at the epoch', () => 0, 'sent_at_too_old'],
    ['older than the history keeps (30 days)', () => Date.now() - 31 * DAY, 'sent_at_too_old'],
  ])('%s: refused, delivered to nobody, not in the history, logged', async (_c, sentAt, code) => {
    const refused = message('refused', sentAt());
    const seen = await publishThenSentinel('chat/general/messages', json(refused));
    expect(seen.filter((p) => p.includes(refused.id))).toEqual([]);
    expect(t.server.storage.history.get('demo', 'general', refused.id)).toBeUndefined();
    expect(deniedAs(code, 'chat/general/messages')).toBe(true);
  });

  it.each<[string, () => number]>([
    ['written offline six hours ago', () => Date.now() - 6 * HOUR],
    ['written offline 29 days ago', () => Date.now() - 29 * DAY],
    ['stamped by a clock a few seconds ahead', () => Date.now() + 5_000],
  ])('%s and sent now: delivered and kept', async (_c, sentAt) => {
    const late = message('late', sentAt());
    const seen = await publishThenSentinel('chat/general/messages', json(late));
    expect(seen).toContain(json(late));
    expect(t.server.storage.history.get('demo', 'general', late.id)).toEqual(late);
  });
});

describe('chat to a room that does not exist in the org', () => {
  it.each([
    ['a message to no room', 'chat/no-such-room/messages', () => json(message('lost'))],
    ['typing in no room', 'chat/no-such-room/typing', () => json({ from: 'alice', typing: true })],
    ['a message to a room of another org', 'chat/elsewhere/messages', () => json(message('x'))],
  ])('%s: refused, delivered to nobody, not in the history, logged', async (_c, topic, payload) => {
    const refused = payload();
    const seen = await publishThenSentinel(topic, refused);
    expect(seen).not.toContain(refused);
    const room = topic.split('/')[1]!;
    expect(t.server.storage.history.count('demo', room)).toBe(0);
    expect(t.server.storage.history.count('acme', room)).toBe(0);
    expect(deniedAs('room_unknown', topic)).toBe(true);
  });

  it('is accepted as soon as the room is created through the API', async () => {
    const before = message('before');
    const seenBefore = await publishThenSentinel('chat/design/messages', json(before));
    expect(seenBefore).not.toContain(json(before));

    const signIn = await t.server.http.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'alice@demo', password: DEMO_PASSWORD }),
    });
    const cookie = signIn.cookies.find((c) => c.name === 'sb_session')!;
    const created = await t.server.http.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: { cookie: `sb_session=${cookie.value}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ id: 'design' }),
    });
    expect(created.statusCode, created.body).toBe(201);

    const after = message('after');
    const seen = await publishThenSentinel('chat/design/messages', json(after));
    expect(seen).toContain(json(after));
    expect(t.server.storage.history.get('demo', 'design', after.id)).toEqual(after);
  });

  it('is accepted as soon as the CLI, another process on the same database, adds the room', async () => {
    const before = message('before');
    const seenBefore = await publishThenSentinel('chat/late/messages', json(before));
    expect(seenBefore).not.toContain(json(before));

    // As `npm run cli -- room add demo late` does it: its own connection to the database.
    const other = openStorage(t.server.config.dataDir);
    const out: string[] = [];
    try {
      const deps = { storage: other, actor: 'cli:ops', out: (line: string) => out.push(line) };
      expect(await runCli(['room', 'add', 'demo', 'late'], deps), out.join('\n')).toBe(0);
    } finally {
      other.close();
    }
    const [entry] = t.server.storage.audit.page('demo', { limit: 1 }).entries;
    expect(entry).toMatchObject({ actor: 'cli:ops', action: 'room.create', target: 'late' });

    const after = message('after');
    const seen = await publishThenSentinel('chat/late/messages', json(after));
    expect(seen).toContain(json(after));
    expect(t.server.storage.history.get('demo', 'late', after.id)).toEqual(after);
  });
});

describe('a chat message sent as a Last Will', () => {
  /** A will of alice's to #general, written `sentAt` ago by her clock. */
  const chatWill = (id: string, sentAt: number) => ({
    topic: 'chat/general/messages',
    payload: Buffer.from(json({ id, from: 'alice', text: 'last words', sentAt })),
    qos: 1 as const,
    retain: false,
  });

  it.each<[string, number]>([
    ['stamped 31 days ago (a client made a month back)', -31 * DAY],
    ['stamped two minutes ahead (a fast clock)', 2 * 60_000],
  ])('%s: accepted at CONNECT, stamped again when it fires', async (_c, offset) => {
    const bob = await t.member('bob');
    const seen = record(bob);
    await subscribeGrants(bob, ['chat/+/+']);
    const id = randomUUID();
    const alice = await t.member('alice', { will: chatWill(id, Date.now() + offset) });
    expect(alice.connected).toBe(true);
    const firedAt = Date.now();
    alice.stream.destroy(); // no DISCONNECT: the will fires
    const got = await waitForMessage(seen, (m) => m.payload.includes(id));
    const fired = JSON.parse(got.payload) as { id: string; sentAt: number };
    expect(fired.sentAt).toBeGreaterThanOrEqual(firedAt);
    expect(fired.sentAt).toBeLessThan(firedAt + 10_000);
    // Kept under the id of this firing (restamp-will.ts).
    expect(fired.id).toBe(`${id}~${fired.sentAt.toString(36)}`);
    expect(t.server.storage.history.get('demo', 'general', fired.id)?.sentAt).toBe(fired.sentAt);
  });

  it('to a room that does not exist: refused at CONNECT', async () => {
    const { token } = await t.server.tokens.mint({
      org: 'demo',
      user: 'alice',
      clientId: 'alice-will-nowhere',
      acl: roleRules('member'),
    });
    const code = await connackCode(t.server.wsUrl, {
      username: 'alice@demo',
      password: token,
      clientId: 'alice-will-nowhere',
      will: { ...chatWill(randomUUID(), Date.now()), topic: 'chat/no-such-room/messages' },
    });
    expect(code).toBe(5);
    expect(events.some((e) => e.code === 'will_room_unknown')).toBe(true);
  });
});

describe('a room that cannot be looked up (the store fails)', () => {
  it('closes the connection unacknowledged, delivers nothing, logs an error', async () => {
    t.server.storage.rooms.add('demo', 'unlucky'); // not yet known to the broker
    const bob = await t.member('bob');
    const seen = record(bob);
    await subscribeGrants(bob, ['chat/+/+']);
    const alice = await t.member('alice');
    const closed = new Promise<void>((resolve) => alice.once('close', () => resolve()));
    const lookup = vi.spyOn(t.server.storage.rooms, 'has').mockImplementation(() => {
      throw new Error('SQLITE_IOERR: disk I/O error');
    });
    try {
      const lost = message('lost to the disk');
      const acked = alice.publishAsync('chat/unlucky/messages', json(lost), { qos: 1 }).then(
        () => 'acknowledged',
        () => 'failed',
      );
      await closed;
      // No PUBACK came: mqtt.js keeps the message, to send it again at its next connect.
      const settled = await Promise.race([acked, delay(200).then(() => 'pending')]);
      expect(settled).toBe('pending');
      expect(seen.filter((m) => m.payload.includes(lost.id))).toEqual([]);
      expect(t.server.storage.history.get('demo', 'unlucky', lost.id)).toBeUndefined();
      expect(events.some((e) => e.event === 'publish_check_failed' && e.level === 50)).toBe(true);
    } finally {
      lookup.mockRestore();
    }
  });
});
