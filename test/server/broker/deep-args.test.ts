import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../../src/server/storage';
import { MAX_ARGS_DEPTH } from '../../../src/shared/schemas';
import { signInRequest } from '../http/test-api';
import { captureLog } from '../support/captured-log';
import {
  connect,
  json,
  record,
  subscribeGrants,
  waitForMessage,
  type ReceivedMessage,
} from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A member sent agent-01 a command whose args nested 50,000 deep. The command log's digest
// of them threw (RangeError), which the server took for a failing history: every org's
// message lookups (GET /api/rooms/:room/messages/:id, how the app tells a message was not
// delivered) answered 503 for ten minutes, and the command reached the agent unlogged.

const { logger, events } = captureLog();
const t = useTestServer({ logger });
afterEach(() => {
  events.length = 0;
  vi.restoreAllMocks();
});

const AGENT = 'agent-01';
const INBOX = `agents/${AGENT}/inbox`;

/** `levels` of arrays inside args: `{"a":[[…]]}` is args nesting `levels` + 1 deep. */
const argsNesting = (levels: number) => `{"a":${'['.repeat(levels)}${']'.repeat(levels)}}`;
const commandText = (id: string, args: string) =>
  `{"id":"${id}","command":"pause","from":"alice","args":${args}}`;

async function listeningAgent(): Promise<ReceivedMessage[]> {
  const client = await connect(t.server.mqttUrl, {
    username: `${AGENT}@demo`,
    password: DEMO_PASSWORD,
    clientId: `${AGENT}-${randomUUID().slice(0, 8)}`,
  });
  t.open.push(client);
  const inbox = record(client);
  await subscribeGrants(client, [INBOX]);
  return inbox;
}

/** alice's chat message, acknowledged: the lookup of it says what the app would be told. */
async function chatAndLookUp(alice: MqttClient): Promise<number> {
  const id = randomUUID();
  const message = { id, from: 'alice', text: 'still there?', sentAt: Date.now() };
  await alice.publishAsync('chat/general/messages', json(message), { qos: 1 });
  const { http } = t.server;
  const signedIn = await http.inject(signInRequest('alice@demo', DEMO_PASSWORD));
  const cookie = signedIn.cookies.find((c) => c.name === 'sb_session');
  const res = await http.inject({
    method: 'GET',
    url: `/api/rooms/general/messages/${id}`,
    headers: { cookie: `sb_session=${cookie?.value ?? ''}` },
  });
  return res.statusCode;
}

const logged = (event: string) => events.filter((e) => e.event === event);

describe('a command whose args nest without end', () => {
  it('is refused like any payload outside the contract: not routed, not logged, nobody’s lookups fail', async () => {
    const inbox = await listeningAgent();
    const alice = await t.member('alice');
    const hostile = randomUUID();
    // Acknowledged [MQTT-3.3.5-2], as any refused publish.
    await alice.publishAsync(INBOX, commandText(hostile, argsNesting(50_000)), { qos: 1 });
    const deepest = randomUUID(); // as deep as args may go
    await alice.publishAsync(INBOX, commandText(deepest, argsNesting(MAX_ARGS_DEPTH - 1)), {
      qos: 1,
    });
    await waitForMessage(inbox, (m) => m.payload.includes(deepest));

    expect(inbox.some((m) => m.payload.includes(hostile))).toBe(false);
    const ids = t.server.storage.agentCommands.page('demo', AGENT, { limit: 200 }).commands;
    expect(ids.map((c) => c.id)).toContain(deepest);
    expect(ids.map((c) => c.id)).not.toContain(hostile);
    expect(logged('publish_denied')).toEqual([
      expect.objectContaining({
        code: 'payload_invalid',
        topic: INBOX,
        user: 'alice',
        msg: `args: must not nest more than ${MAX_ARGS_DEPTH} levels deep`,
      }),
    ]);
    expect(logged('history_record_failed')).toEqual([]);
    expect(await chatAndLookUp(alice)).toBe(200);
  });
});

describe('a message the store refuses to record (it cannot hold that input)', () => {
  it('is logged as refused; lookups still answer: only the store failing makes them doubt', async () => {
    const inbox = await listeningAgent();
    const alice = await t.member('alice');
    vi.spyOn(t.server.storage.agentCommands, 'recordCommand').mockImplementation(() => {
      throw new StorageError('invalid_argument', "the command's args cannot be digested");
    });
    const refused = randomUUID();
    await alice.publishAsync(INBOX, commandText(refused, '{"step":1}'), { qos: 1 });
    // Routed all the same, as a command the log could not take always was.
    await waitForMessage(inbox, (m) => m.payload.includes(refused));
    expect(logged('history_record_refused')).toEqual([
      expect.objectContaining({ code: 'invalid_argument' }),
    ]);
    expect(logged('history_record_failed')).toEqual([]);
    expect(await chatAndLookUp(alice)).toBe(200);

    // The store failing (a full disk, say) is another matter: a missing message proves
    // nothing for a while. Last in this file: it holds for ten minutes.
    vi.spyOn(t.server.storage.agentCommands, 'recordCommand').mockImplementation(() => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    const failed = randomUUID();
    await alice.publishAsync(INBOX, commandText(failed, '{"step":2}'), { qos: 1 });
    await waitForMessage(inbox, (m) => m.payload.includes(failed));
    expect(logged('history_record_failed')).toHaveLength(1);
    expect(await chatAndLookUp(alice)).toBe(503);
  });
});
