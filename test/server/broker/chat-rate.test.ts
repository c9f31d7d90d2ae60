import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectiveRules } from '../../../src/server/auth/effective-rules';
import { MAX_WAIT_SECONDS } from '../../../src/server/broker/publish-rate-limit';
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
import type { MqttClient } from 'mqtt';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A person's chat messages, typing and agent commands are paced per org and user, across
// their connections (publish-rate-limit.ts): DEFAULTS.chatBurst at once, then
// DEFAULTS.chatRatePerSecond a second. Messages and commands past it wait their turn, up to
// MAX_WAIT_SECONDS of them; one past that is acknowledged [MQTT-3.3.5-2] and goes nowhere,
// as a refused publish does, so the app finds it missing from the history and shows it as
// not delivered. Agents, services and devices are not paced.

const { logger, events } = captureLog();
const t = useTestServer({
  logger,
  config: { chatRatePerSecond: DEFAULTS.chatRatePerSecond, chatBurst: DEFAULTS.chatBurst },
  setup: async (server) => {
    // A member of their own for each test: the limit's buckets outlast a test.
    for (const user of ['carol', 'dave', 'erin', 'frank', 'grace', 'henry']) {
      server.storage.users.addUser({ org: 'demo', user, role: 'member', passwordHash: 'x' });
    }
  },
});
const BURST = DEFAULTS.chatBurst;
const TOKEN_MS = 1_000 / DEFAULTS.chatRatePerSecond; // a token back after this
const ROOM = 'chat/general/messages';

// The limit's clock (performance.now) stands still: no token comes back during a test,
// however slowly the machine gets through it, until the test moves it on.
let clock = 0;
beforeEach(() => {
  clock = performance.now();
  vi.spyOn(performance, 'now').mockReturnValue(clock);
});
/** Moves the clock on by `count` tokens' time (and a ms more: the sums are floating point). */
const giveTokens = (count: number) => {
  clock += count * TOKEN_MS + 1;
  vi.mocked(performance.now).mockReturnValue(clock);
};
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

const publishedBy = (clients: MqttClient[], messages: { id: string }[]) => {
  const acked = new Set<string>();
  const all = Promise.all(
    messages.map((m, i) =>
      clients[i % clients.length]!.publishAsync(ROOM, json(m), { qos: 1 }).then(() =>
        acked.add(m.id),
      ),
    ),
  );
  return { acked, all };
};

const logged = (event: string) => events.filter((e) => e.event === event);

/** A tab of `user` that has spent its burst, and its one more publish, now waiting. */
async function oneWaiting(user: string, text: string, qos: 0 | 1) {
  const tab = await t.member(user);
  const burst = Array.from({ length: BURST }, (_, i) => message(user, `burst ${i}`));
  await publishedBy([tab], burst).all;
  const waiting = message(user, text);
  const acked = tab.publishAsync(ROOM, json(waiting), { qos });
  await eventually(
    () => logged('publish_throttled').some((e) => e.user === user),
    5_000,
    'the last one waiting',
  );
  return { waiting, acked };
}

describe("a person's chat over the limit", () => {
  it(`waits its turn past ${BURST} messages at once, across their connections; others' go meanwhile`, async () => {
    const seen = await reader([ROOM]);
    const phone = await t.member('alice');
    const laptop = await t.member('alice');
    const burst = Array.from({ length: BURST + 2 }, (_, i) => message('alice', `burst ${i}`));
    const ids = burst.map((m) => m.id);
    const published = publishedBy([phone, laptop], burst);
    await eventually(() => sent(seen, ids) >= BURST, 10_000, 'the burst routed');
    // Bob is not behind her.
    const bob = await t.member('bob');
    const bobs = message('bob', 'and me');
    await bob.publishAsync(ROOM, json(bobs), { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes(bobs.id));
    // Her last two wait, unacknowledged, while no token comes back.
    expect(sent(seen, ids)).toBe(BURST);
    expect(published.acked.size).toBe(BURST);
    expect(logged('publish_throttled')).toEqual([
      expect.objectContaining({ org: 'demo', user: 'alice', what: 'messages', burst: BURST }),
    ]);

    giveTokens(2);
    await published.all;
    await eventually(() => sent(seen, ids) === BURST + 2, 10_000, 'the last two routed');
    expect(ids.every((id) => t.server.storage.history.get('demo', 'general', id))).toBe(true);
    expect(logged('publish_dropped')).toEqual([]);
    expect(logged('publish_denied')).toEqual([]);
  });

  it(`goes nowhere past ${MAX_WAIT_SECONDS} s of messages waiting, and the app finds it missing`, async () => {
    const seen = await reader([ROOM]);
    // READ_AHEAD_PACKETS of a connection are handled at once: enough tabs to fill the line.
    const tabs = await Promise.all(Array.from({ length: 5 }, () => t.member('dave')));
    const held = DEFAULTS.chatRatePerSecond * MAX_WAIT_SECONDS;
    const flood = Array.from({ length: BURST + held + 1 }, (_, i) => message('dave', `m ${i}`));
    const ids = flood.map((m) => m.id);
    const published = publishedBy(tabs, flood);
    // The burst and the one turned away are acknowledged; the line's wait.
    await eventually(() => published.acked.size === BURST + 1, 10_000, 'burst and drop acked');
    await eventually(() => sent(seen, ids) === BURST, 10_000, 'the burst routed');
    const dropped = ids.find((id) => published.acked.has(id) && !sent(seen, [id]))!;
    expect(await lookUp('alice', dropped)).toBe(404); // any reader of the room
    expect(logged('publish_dropped')).toEqual([
      expect.objectContaining({ org: 'demo', user: 'dave', what: 'messages' }),
    ]);

    // A bucket holds BURST tokens at most, however long the pause: a burst's worth at a time.
    for (let going: number = BURST; going < BURST + held;) {
      giveTokens(BURST);
      going = Math.min(going + BURST, BURST + held);
      const routed = going;
      await eventually(() => sent(seen, ids) === routed, 10_000, `${routed} routed`);
    }
    await published.all;
    expect(sent(seen, [dropped])).toBe(0);
    expect(t.server.storage.history.get('demo', 'general', dropped)).toBeFalsy();
  });

  it('is not routed when its connection closed while it waited: the client sends it again', async () => {
    const seen = await reader([ROOM]);
    const tab = await t.member('erin');
    const other = await t.member('erin');
    const burst = Array.from({ length: BURST + 1 }, (_, i) => message('erin', `burst ${i}`));
    const ids = burst.map((m) => m.id);
    void publishedBy([tab], burst).all.catch(() => {}); // the last never acknowledged
    await eventually(() => sent(seen, ids) >= BURST, 10_000, 'the burst routed');
    const before = t.server.broker.aedes.connectedClients;
    tab.end(true);
    await eventually(
      () => t.server.broker.aedes.connectedClients < before,
      5_000,
      'the tab gone from the broker',
    );
    // Behind the one that waited: by the time it is routed, that one has left the line.
    const after = message('erin', 'from the other tab');
    const sending = other.publishAsync(ROOM, json(after), { qos: 1 });
    giveTokens(2);
    await sending;
    await waitForMessage(seen, (m) => m.payload.includes(after.id));
    const waited = ids.at(-1)!;
    expect(sent(seen, [waited])).toBe(0);
    expect(t.server.storage.history.get('demo', 'general', waited)).toBeFalsy();
  });

  it('is not routed, even at QoS 0, when its connection was closed for cause while it waited', async () => {
    const seen = await reader([ROOM]);
    const { waiting } = await oneWaiting('grace', 'said before the kick', 0);
    // An admin's kick, a user disabled, a token revoked: nothing of theirs speaks after it.
    expect(t.server.broker.disconnect((who) => who.user === 'grace')).toBe(1);
    // Behind the one that waited: by the time it is routed, that one has left the line.
    const back = await t.member('grace');
    const after = message('grace', 'after the kick');
    const sending = back.publishAsync(ROOM, json(after), { qos: 1 });
    giveTokens(2);
    await sending;
    await waitForMessage(seen, (m) => m.payload.includes(after.id));
    expect(sent(seen, [waiting.id])).toBe(0);
    expect(t.server.storage.history.get('demo', 'general', waiting.id)).toBeFalsy();
  });

  it('is refused when the rules narrowed while it waited', async () => {
    const seen = await reader([ROOM]);
    const { waiting, acked } = await oneWaiting('henry', 'sent before the rules changed', 1);
    // An admin takes the room from them, as the console does, while it waits.
    const { storage, broker } = t.server;
    storage.users.setExtraRules('demo', 'henry', [
      { permission: 'deny', action: 'publish', topic: ROOM },
    ]);
    const record = storage.users.getUser('demo', 'henry')!;
    await broker.admin.applyRules('demo', 'henry', effectiveRules(storage.users, record));
    giveTokens(1);
    await acked; // acknowledged, as a refusal is
    const bobs = message('bob', 'after the change');
    await (await t.member('bob')).publishAsync(ROOM, json(bobs), { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes(bobs.id));
    expect(sent(seen, [waiting.id])).toBe(0);
    expect(storage.history.get('demo', 'general', waiting.id)).toBeFalsy();
    expect(logged('publish_denied')).toEqual([
      expect.objectContaining({ user: 'henry', code: 'acl_denied' }),
    ]);
  });

  it('takes the resends of a client whose connection closed with its line full', async () => {
    const seen = await reader([ROOM]);
    const tabs = await Promise.all(Array.from({ length: 5 }, () => t.member('frank')));
    const held = DEFAULTS.chatRatePerSecond * MAX_WAIT_SECONDS;
    const flood = Array.from({ length: BURST + held + 1 }, (_, i) => message('frank', `m ${i}`));
    const first = publishedBy(tabs, flood);
    void first.all.catch(() => {}); // those waiting are never acknowledged
    // The one past the line acknowledged: the line is full.
    await eventually(() => first.acked.size === BURST + 1, 10_000, 'burst and drop acked');
    const before = t.server.broker.aedes.connectedClients;
    for (const tab of tabs) tab.end(true);
    await eventually(
      () => t.server.broker.aedes.connectedClients === before - tabs.length,
      5_000,
      'the tabs gone from the broker',
    );
    // Back on new connections, the app sends again what was never acknowledged.
    const again = flood.filter((m) => !first.acked.has(m.id));
    const ids = again.map((m) => m.id);
    const resent = publishedBy(
      await Promise.all(Array.from({ length: 5 }, () => t.member('frank'))),
      again,
    );
    for (let going = 0; going < held;) {
      giveTokens(BURST);
      going = Math.min(going + BURST, held);
      const routed = going;
      await eventually(() => sent(seen, ids) === routed, 10_000, `${routed} resends routed`);
    }
    await resent.all;
    expect(ids.every((id) => t.server.storage.history.get('demo', 'general', id))).toBe(true);
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
    const sending = commands.map((c) =>
      carol.publishAsync('agents/agent-01/inbox', json(c), { qos: 1 }),
    );
    await waitForMessage(inbox, (m) => m.payload.includes(commands[0]!.id));
    // The second waits for a token: another's command goes before it.
    const admin = await t.member('admin');
    const sentinel = { id: randomUUID(), command: 'ping', from: 'admin' };
    await admin.publishAsync('agents/agent-01/inbox', json(sentinel), { qos: 1 });
    await waitForMessage(inbox, (m) => m.payload.includes(sentinel.id));
    expect(inbox.some((m) => m.payload.includes(commands[1]!.id))).toBe(false);
    giveTokens(1);
    await Promise.all(sending);
    await waitForMessage(inbox, (m) => m.payload.includes(commands[1]!.id));
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
