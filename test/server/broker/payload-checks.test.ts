import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import { captureLog } from '../support/captured-log';
import {
  connackCode,
  json,
  record,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';

// What the broker refuses of a contract payload itself (schemas.ts): a field the contract
// does not name, which it would otherwise route as it came to every reader, and a chat
// message whose text shows nothing. Refused as any invalid payload is: acknowledged
// [MQTT-3.3.5-2], delivered to nobody, not kept, logged with the reason.

const { logger, events } = captureLog();
const t = useTestServer({ logger });
afterEach(() => {
  events.length = 0;
});

const JUNK = 'x'.repeat(250_000); // within the broker's 256 KiB packets
const message = (text: string) => ({ id: randomUUID(), from: 'alice', text, sentAt: Date.now() });

/** The reason the broker logged for refusing `user`'s publish to `topic`, if it did. */
const refusal = (user: string, topic: string) =>
  events.find((e) => e.event === 'publish_denied' && e.user === user && e.topic === topic);

/**
 * alice publishes `payload` to #general, then `sentinel`; resolves with what bob received
 * of the room by the time the sentinel reached him.
 */
async function chatThenSentinel(payload: string, sentinel = message('sentinel')) {
  const bob = await t.member('bob');
  const seen = record(bob);
  await subscribeGrants(bob, ['chat/+/messages']);
  const alice = await t.member('alice');
  await alice.publishAsync('chat/general/messages', payload, { qos: 1 });
  await alice.publishAsync('chat/general/messages', json(sentinel), { qos: 1 });
  await waitForMessage(seen, (m) => m.payload.includes(sentinel.id));
  return seen.map((m) => m.payload);
}

describe('a payload with a field outside the contract', () => {
  it('a chat message with 250 KB beside its text: delivered to nobody, not kept, logged', async () => {
    const sent = { ...message('hi'), junk: JUNK };
    const seen = await chatThenSentinel(json(sent));
    expect(seen.filter((payload) => payload.includes(sent.id))).toEqual([]);
    expect(t.server.storage.history.get('demo', 'general', sent.id)).toBeUndefined();
    expect(refusal('alice', 'chat/general/messages')).toMatchObject({
      code: 'payload_invalid',
      msg: 'unknown field "junk": not in the contract',
    });
  });

  it.each<[string, string, (clientId: string) => [string, object]]>([
    ['typing', 'alice', () => ['chat/general/typing', { from: 'alice', typing: true }]],
    [
      'a presence',
      'alice',
      (clientId) => [`presence/alice/${clientId}`, { status: 'online', since: Date.now() }],
    ],
    [
      'an agent command',
      'alice',
      () => ['agents/agent-01/inbox', { id: 'c1', command: 'ping', from: 'alice' }],
    ],
    [
      'an agent state',
      'agent-01',
      () => ['agents/agent-01/state', { status: 'idle', updatedAt: Date.now() }],
    ],
    [
      'an agent reply',
      'agent-01',
      () => ['agents/agent-01/replies', { commandId: 'c1', status: 'done' }],
    ],
    [
      'a notification',
      'notifier',
      () => ['notifications/bob', { id: 'n1', title: 'Hi', body: '', createdAt: Date.now() }],
    ],
  ])('%s: refused, naming the field', async (_case, user, payload) => {
    const client = user === 'alice' ? await t.member('alice') : await t.device(user);
    const [topic, value] = payload(client.options.clientId!);
    const retain = topic.startsWith('presence/') || topic.endsWith('/state');
    await client.publishAsync(topic, json(value), { qos: 1, retain });
    expect(refusal(user, topic)).toBeUndefined(); // the contract's own fields pass
    await client.publishAsync(topic, json({ ...value, extra: 1 }), { qos: 1, retain });
    expect(refusal(user, topic)).toMatchObject({
      code: 'payload_invalid',
      msg: 'unknown field "extra": not in the contract',
    });
  });

  it('in a Last Will: refused at CONNECT', async () => {
    const clientId = 'alice-will-extra';
    const login = async (will: object) => ({
      username: 'alice@demo',
      password: (
        await t.server.tokens.mint({
          org: 'demo',
          user: 'alice',
          clientId,
          acl: roleRules('member'),
        })
      ).token,
      clientId,
      will: {
        topic: `presence/alice/${clientId}`,
        payload: Buffer.from(json(will)),
        qos: 1 as const,
        retain: true,
      },
    });
    const offline = { status: 'offline', since: Date.now() };
    expect(await connackCode(t.server.wsUrl, await login({ ...offline, extra: 1 }))).toBe(5);
    expect(events.find((e) => e.event === 'connect_refused')).toMatchObject({
      code: 'will_payload_invalid',
      msg: 'Last Will refused: unknown field "extra": not in the contract',
    });
    expect(await connackCode(t.server.wsUrl, await login(offline))).toBe(0);
  });
});

describe('a chat message whose text shows nothing', () => {
  it.each([
    ['spaces and line breaks', '   \n\t'],
    ['zero-width spaces', '\u200b\u200b'],
    ['bidi marks and a word joiner', '\u200e\u200f\u2060'],
    ['a braille blank', '\u2800'],
  ])(
    '%s: delivered to nobody, not kept, logged; around a visible character, both',
    async (_case, text) => {
      const sent = message(text);
      const shows = message(`${text}.${text}`);
      const seen = await chatThenSentinel(json(sent), shows);
      expect(seen.filter((payload) => payload.includes(sent.id))).toEqual([]);
      expect(t.server.storage.history.get('demo', 'general', sent.id)).toBeUndefined();
      expect(refusal('alice', 'chat/general/messages')).toMatchObject({
        code: 'payload_invalid',
        msg: 'text: must have a visible character',
      });
      expect(seen).toEqual([json(shows)]);
      expect(t.server.storage.history.get('demo', 'general', shows.id)).toEqual(shows);
    },
  );
});

describe('a payload naming a key twice', () => {
  it('a chat message goes out as the broker checked it: the sender it vouched for, once', async () => {
    const alice = await t.member('alice');
    const bob = await t.member('bob');
    await subscribeGrants(bob, ['chat/general/messages'], 1);
    const seen = record(bob);
    const id = randomUUID();
    const sentAt = Date.now();
    // JSON.parse keeps the last "from" (alice's own, which passes); a parser that keeps
    // the first would read bob as the sender.
    const spoof = `{"id":"${id}","from":"bob","text":"I am bob","sentAt":${sentAt},"from":"alice"}`;
    await alice.publishAsync('chat/general/messages', spoof, { qos: 1 });

    const chat = await waitForMessage(seen, (m) => m.topic === 'chat/general/messages');
    expect(chat.payload.match(/"from"/g)).toHaveLength(1);
    expect(JSON.parse(chat.payload)).toEqual({ id, from: 'alice', text: 'I am bob', sentAt });
    expect(t.server.storage.history.page('demo', 'general', { limit: 50 }).messages).toContainEqual(
      expect.objectContaining({ id, from: 'alice', text: 'I am bob' }),
    );
  });

  it('an agent command goes out byte for byte: its args may hold numbers JSON.parse cannot keep', async () => {
    const alice = await t.member('alice');
    const agent = await t.device('agent-01');
    await subscribeGrants(agent, ['agents/agent-01/inbox'], 1);
    const commands = record(agent);
    const command = `{"id":"c-${randomUUID()}", "from":"alice","command":"set","args":{"n":12345678901234567890,"big":1e20}}`;
    await alice.publishAsync('agents/agent-01/inbox', command, { qos: 1 });
    const sent = await waitForMessage(commands, (m) => m.topic === 'agents/agent-01/inbox');
    expect(sent.payload).toBe(command);
  });
});
