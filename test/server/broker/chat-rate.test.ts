import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULTS } from '../../../src/server/config';
import { signInRequest } from '../http/test-api';
import { captureLog } from '../support/captured-log';
import { eventually } from '../support/eventually';
import {
  json,
  record,
  subscribeGrants,
  waitForMessage,
  type ReceivedMessage,
} from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A person's chat messages, typing and agent commands are paced per org and user, across
// their connections (publish-rate-limit.ts): DEFAULTS.chatBurst at once, then
// DEFAULTS.chatRatePerSecond a second. One over it is acknowledged [MQTT-3.3.5-2] and goes
// nowhere, as a refused publish does, so the app finds it missing from the history and
// shows it as not delivered. Agents, services and devices are not paced.

const { logger, events } = captureLog();
const t = useTestServer({
  logger,
  config: { chatRatePerSecond: DEFAULTS.chatRatePerSecond, chatBurst: DEFAULTS.chatBurst },
  setup: async (server) => {
    // A member of their own for each test: the limit's buckets outlast a test.
    server.storage.users.addUser({ org: 'demo', user: 'carol', role: 'member', passwordHash: 'x' });
  },
});
const BURST = DEFAULTS.chatBurst;
const ROOM = 'chat/general/messages';

// The limit's clock (performance.now) stands still: no token comes back during a test,
// however slowly the machine gets through it.
beforeEach(() => {
  const now = performance.now();
  vi.spyOn(performance, 'now').mockReturnValue(now);
});
afterEach(() => {
  vi.restoreAllMocks();
  events.length = 0;
});

const message = (from: string, text: string) => ({
  id: randomUUID(),
  from,
  text,
  sentAt: Date.now(),
});

/** One reading `topics`: what it receives. */
async function reader(topics: string[]): Promise<ReceivedMessage[]> {
  const client = await t.device('admin');
  const seen = record(client);
  await subscribeGrants(client, topics);
  return seen;
}

const sent = (seen: ReceivedMessage[], ids: readonly string[]) =>
  seen.filter((m) => ids.some((id) => m.payload.includes(id))).length;

async function lookUp(user: string, id: string): Promise<number> {
  const { http } = t.server;
  const signedIn = await http.inject(signInRequest(`${user}@demo`, DEMO_PASSWORD));
  const cookie = signedIn.cookies.find((c) => c.name === 'sb_session');
  const res = await http.inject({
    method: 'GET',
    url: `/api/rooms/general/messages/${id}`,
    headers: { cookie: `sb_session=${cookie?.value ?? ''}` },
  });
  return res.statusCode;
}

describe("a person's chat over the limit", () => {
  it(`goes nowhere past ${BURST} messages at once, across their connections; others' still go`, async () => {
    const seen = await reader([ROOM]);
    const phone = await t.member('alice');
    const laptop = await t.member('alice');
    const burst = Array.from({ length: BURST + 1 }, (_, i) => message('alice', `burst ${i}`));
    // Every one acknowledged, the refused one too: MQTT 3.1.1 cannot say no.
    await Promise.all(
      burst.map((m, i) => (i % 2 === 0 ? phone : laptop).publishAsync(ROOM, json(m), { qos: 1 })),
    );
    const bob = await t.member('bob');
    const bobs = message('bob', 'and me');
    await bob.publishAsync(ROOM, json(bobs), { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes(bobs.id));

    const ids = burst.map((m) => m.id);
    await eventually(() => sent(seen, ids) >= BURST, 10_000, 'the burst routed');
    expect(sent(seen, ids)).toBe(BURST);
    const kept = ids.filter((id) => t.server.storage.history.get('demo', 'general', id));
    expect(kept).toHaveLength(BURST);
    const refused = ids.find((id) => !kept.includes(id))!;
    expect(seen.some((m) => m.payload.includes(refused))).toBe(false);
    // How the app learns it was not delivered.
    expect(await lookUp('alice', refused)).toBe(404);
    expect(await lookUp('alice', kept[0]!)).toBe(200);

    // Logged once for the run, not per message; not as a refusal of its payload.
    await laptop.publishAsync(ROOM, json(message('alice', 'still here?')), { qos: 1 });
    expect(events.filter((e) => e.event === 'publish_throttled')).toEqual([
      expect.objectContaining({ org: 'demo', user: 'alice', burst: BURST }),
    ]);
    expect(events.filter((e) => e.event === 'publish_denied')).toEqual([]);
  });

  it('shares the bucket with their commands to agents', async () => {
    const agent = await t.device('agent-01');
    const inbox = record(agent);
    await subscribeGrants(agent, ['agents/agent-01/inbox']);
    const carol = await t.member('carol');
    const chat = Array.from({ length: BURST - 1 }, (_, i) => message('carol', `chat ${i}`));
    await Promise.all(chat.map((m) => carol.publishAsync(ROOM, json(m), { qos: 1 })));
    const commands = ['pause', 'resume'].map((name) => ({
      id: randomUUID(),
      command: name,
      from: 'carol',
    }));
    for (const c of commands) {
      await carol.publishAsync('agents/agent-01/inbox', json(c), { qos: 1 });
    }
    await waitForMessage(inbox, (m) => m.payload.includes(commands[0]!.id));
    // Sent after the first, acknowledged, and not routed: another command shows it by then.
    const admin = await t.member('admin');
    const sentinel = { id: randomUUID(), command: 'ping', from: 'admin' };
    await admin.publishAsync('agents/agent-01/inbox', json(sentinel), { qos: 1 });
    await waitForMessage(inbox, (m) => m.payload.includes(sentinel.id));
    expect(inbox.some((m) => m.payload.includes(commands[1]!.id))).toBe(false);
  });
});

describe('programs at their own rates', () => {
  it('an agent publishing its state far faster is not paced, nor a service posting chat', async () => {
    const STATES = BURST * 5;
    const seen = await reader(['agents/agent-02/state', ROOM]);
    const agent = await t.device('agent-02');
    const details = Array.from({ length: STATES }, (_, i) => `step ${i}`);
    await Promise.all(
      details.map((detail) =>
        agent.publishAsync(
          'agents/agent-02/state',
          json({ status: 'working', detail, updatedAt: Date.now() }),
          { qos: 1, retain: true },
        ),
      ),
    );
    const notifier = await t.device('notifier');
    const posts = Array.from({ length: BURST * 2 }, (_, i) => message('notifier', `build ${i}`));
    await Promise.all(posts.map((m) => notifier.publishAsync(ROOM, json(m), { qos: 1 })));

    await eventually(
      () =>
        sent(
          seen,
          details.map((d) => `"${d}"`),
        ) === STATES,
      10_000,
      'every state routed',
    );
    const ids = posts.map((m) => m.id);
    await eventually(() => sent(seen, ids) === posts.length, 10_000, 'every post routed');
    expect(ids.every((id) => t.server.storage.history.get('demo', 'general', id))).toBe(true);
    expect(events.filter((e) => e.event === 'publish_throttled')).toEqual([]);
  });
});
