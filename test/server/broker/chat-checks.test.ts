import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server/app';
import { createLogger } from '../../../src/server/logger';
import { openStorage } from '../../../src/server/storage';
import { roleRules } from '../../../src/shared/acl';
import { MAX_SENT_AT_AHEAD_MS } from '../../../src/server/broker/check-chat';
import {
  closeAll,
  connect,
  json,
  record,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { DEMO_PASSWORD, makeDataDir, testServerConfig } from '../support/test-server';

// What the broker accepts on chat/<room>/…: only rooms of the publisher's org, and only a
// sentAt the timeline can place (check-chat.ts), with rooms created while it runs found
// at once, whichever process created them.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let dataDir: string;
let server: RunningServer;
const events: Record<string, unknown>[] = []; // the server's log, as objects
const open: MqttClient[] = [];

beforeAll(async () => {
  dataDir = await makeDataDir();
  const logger = createLogger('info', {
    write: (line: string) => void events.push(JSON.parse(line) as Record<string, unknown>),
  });
  server = await startServer(testServerConfig(dataDir), { logger });
  server.storage.users.addOrg('acme');
  server.storage.rooms.add('acme', 'elsewhere');
});
afterEach(async () => {
  await closeAll(open.splice(0));
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A demo member signed in as the app is: a token over WebSocket. */
async function member(user: string): Promise<MqttClient> {
  const clientId = `${user}-${randomUUID().slice(0, 8)}`;
  const { token } = await server.tokens.mint({
    org: 'demo',
    user,
    clientId,
    acl: roleRules('member'),
  });
  const client = await connect(server.wsUrl, {
    username: `${user}@demo`,
    password: token,
    clientId,
  });
  open.push(client);
  return client;
}

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
  const bob = await member('bob');
  const seen = record(bob);
  await subscribeGrants(bob, ['chat/+/+']);
  const alice = await member('alice');
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
    expect(server.storage.history.get('demo', 'general', refused.id)).toBeUndefined();
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
    expect(server.storage.history.get('demo', 'general', late.id)).toEqual(late);
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
    expect(server.storage.history.count('demo', room)).toBe(0);
    expect(server.storage.history.count('acme', room)).toBe(0);
    expect(deniedAs('room_unknown', topic)).toBe(true);
  });

  it('is accepted as soon as the room is created through the API', async () => {
    const before = message('before');
    const seenBefore = await publishThenSentinel('chat/design/messages', json(before));
    expect(seenBefore).not.toContain(json(before));

    const signIn = await server.http.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'alice@demo', password: DEMO_PASSWORD }),
    });
    const cookie = signIn.cookies.find((c) => c.name === 'sb_session')!;
    const created = await server.http.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: { cookie: `sb_session=${cookie.value}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ id: 'design' }),
    });
    expect(created.statusCode, created.body).toBe(201);

    const after = message('after');
    const seen = await publishThenSentinel('chat/design/messages', json(after));
    expect(seen).toContain(json(after));
    expect(server.storage.history.get('demo', 'design', after.id)).toEqual(after);
  });

  it('is accepted as soon as another process on the same database creates the room (the CLI)', async () => {
    const before = message('before');
    const seenBefore = await publishThenSentinel('chat/late/messages', json(before));
    expect(seenBefore).not.toContain(json(before));

    const other = openStorage(dataDir);
    try {
      other.rooms.add('demo', 'late');
    } finally {
      other.close();
    }

    const after = message('after');
    const seen = await publishThenSentinel('chat/late/messages', json(after));
    expect(seen).toContain(json(after));
    expect(server.storage.history.get('demo', 'late', after.id)).toEqual(after);
  });
});
