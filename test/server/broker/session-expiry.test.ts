import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Aedes } from 'aedes';
import type { BrokerPersistence } from '../../../src/server/broker/persistence';
import type { RetainedPacket } from '../../../src/server/broker/retained-index';
import {
  expireSessions,
  MAX_EXPIRED_PER_SWEEP,
  type ExpiryHooks,
} from '../../../src/server/broker/session-expiry';
import { appTab } from '../support/app-tab';
import { eventually } from '../support/eventually';
import {
  closeAll,
  connect,
  json,
  record,
  resume,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/test-server';

// MQTT 3.1.1 sessions never expire: each abandoned browser session would queue every chat
// message for ever and keep its presence retained. The broker drops an app (token)
// session whose client stayed away longer than SESSION_EXPIRY_DAYS.

const HOUR_MS = 3_600_000;
let server: TestServer;
const open: mqtt.MqttClient[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await closeAll(open);
  await server.cleanup();
});

/** alice's tab as the app connects (appTab), closed after the file. */
const tab = async (clientId: string) => {
  const opened = await appTab(server, 'alice', clientId);
  open.push(opened.client);
  return opened;
};
const awayIds = async () =>
  (await server.broker.admin.storedSessions('demo')).map((session) => session.clientId);
const expire = (before: number) => server.broker.expireSessions(before, HOUR_MS);

describe('session expiry on the real broker', () => {
  it('drops an away tab’s subscriptions, queue and presence; keeps connected and recent ones', async () => {
    const gone = await tab('alice-old');
    await tab('alice-here');
    await gone.client.endAsync();
    await eventually(async () => (await awayIds()).includes('alice-old'));

    // Away less long than the expiry: kept.
    expect(await expire(Date.now() - 60_000)).toEqual([]);
    expect(await awayIds()).toContain('alice-old');

    // Away longer (its disconnect is noted once the write lands).
    await eventually(async () =>
      (await expire(Date.now() + 1)).some((session) => session.clientId === 'alice-old'),
    );
    expect(await awayIds()).not.toContain('alice-old');
    expect(server.broker.retainedTopics('demo', 'presence/alice/+')).toEqual([
      'presence/alice/alice-here',
    ]);

    // Nothing is routed to it any more: a chat message now queues nothing for it.
    const here = await tab('alice-also-here');
    const seenByHere = record(here.client);
    await here.client.publishAsync(
      'chat/general/messages',
      json({ id: 'after-expiry', from: 'alice', text: 'x', sentAt: Date.now() }),
      { qos: 1 },
    );
    await waitForMessage(seenByHere, (m) => m.payload.includes('after-expiry'));
    expect(await awayIds()).not.toContain('alice-old');

    // Coming back starts afresh [MQTT-3.2.2-2]: no session, nothing queued.
    const back = await resume(server.mqttUrl, {
      username: 'alice@demo',
      password: gone.token,
      clientId: 'alice-old',
    });
    open.push(back.client);
    expect(back.sessionPresent).toBe(false);
  });

  it('counts a tab as away from when it left, not from when it came', async () => {
    const { client } = await tab('alice-long');
    const whileConnected = Date.now() + 1;
    await eventually(() => Date.now() > whileConnected); // the clock moves on
    await client.endAsync();
    // Its disconnect noted (the admin's list shows the time expiry counts from).
    await eventually(async () =>
      (await server.broker.admin.storedSessions('demo')).some(
        (session) => session.clientId === 'alice-long' && session.lastSeenAt! > whileConnected,
      ),
    );
    const expired = await expire(whileConnected);
    expect(expired.map((session) => session.clientId)).not.toContain('alice-long');
    expect(await awayIds()).toContain('alice-long');
  });

  it('never drops a session opened with a password (a device may rely on it for good)', async () => {
    const device = await connect(server.mqttUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'agent-01-box',
      clean: false,
    });
    await subscribeGrants(device, ['agents/agent-01/inbox'], 1);
    await device.endAsync();
    await eventually(async () => (await awayIds()).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expire(Date.now() + 1);
    const sessions = await server.broker.admin.storedSessions('demo');
    expect(sessions.map((s) => s.clientId)).toContain('agent-01-box');
  });
});

/** A persistence that holds only what expiry reads and writes. */
function fakePersistence(stored: string[], seen: Map<string, number>, swept?: number) {
  const forgotten: string[] = [];
  let sweptAt = swept;
  const persistence = {
    markSeen: async (ids: string[], at: number) => ids.forEach((id) => seen.set(id, at)),
    lastSeen: async (id: string) => seen.get(id),
    seenClientIds: async () => [...seen.keys()],
    forgetSeen: async (id: string) => void seen.delete(id),
    storedClientIds: async () => new Set(stored),
    lastSwept: async () => sweptAt,
    markSwept: async (at: number) => void (sweptAt = at),
    forgetSession: async (id: string) => void forgotten.push(id),
    retained: { match: function* (): Generator<RetainedPacket> {} },
  } as unknown as BrokerPersistence;
  const hooks: ExpiryHooks = {
    inUse: () => new Set(),
    peoplesSessions: [],
    hold: (_id, work) => work(),
  };
  return { persistence, hooks, forgotten };
}

describe('expireSessions', () => {
  const aedes = {} as Aedes;

  it('does not count time the broker was down as time away', async () => {
    const seen = new Map([['demo:alice:tab', 1_000]]);
    const { persistence, hooks, forgotten } = fakePersistence(['demo:alice:tab'], seen, 2_000);
    // Down from 2,000 to 100,000 with sweeps every 1,000: the gap, less one interval, is
    // added to every noted time, and nothing goes in that sweep.
    const options = { before: 50_000, intervalMs: 1_000, now: 100_000 };
    expect(await expireSessions(aedes, persistence, hooks, options)).toEqual([]);
    expect(seen.get('demo:alice:tab')).toBe(1_000 + 97_000);
    expect(forgotten).toEqual([]);
  });

  it('drops at most MAX_EXPIRED_PER_SWEEP sessions a sweep, and forgets times of gone ones', async () => {
    const ids = Array.from({ length: MAX_EXPIRED_PER_SWEEP + 1 }, (_, i) => `demo:alice:t${i}`);
    const seen = new Map([...ids, 'demo:alice:cleaned'].map((id) => [id, 1_000]));
    const { persistence, hooks, forgotten } = fakePersistence(ids, seen, 9_000);
    const options = { before: 5_000, intervalMs: 1_000, now: 10_000 };
    const expired = await expireSessions(aedes, persistence, hooks, options);
    expect(expired).toHaveLength(MAX_EXPIRED_PER_SWEEP);
    expect(forgotten).toHaveLength(MAX_EXPIRED_PER_SWEEP);
    expect(seen.has('demo:alice:cleaned')).toBe(false); // no stored session any more
  });

  it('keeps a session whose client is connecting, asked right before the drop', async () => {
    const seen = new Map([['demo:alice:tab', 1_000]]);
    const { persistence, hooks, forgotten } = fakePersistence(['demo:alice:tab'], seen, 9_000);
    let asked = 0;
    hooks.inUse = () => (++asked > 1 ? new Set(['demo:alice:tab']) : new Set());
    const options = { before: 5_000, intervalMs: 1_000, now: 10_000 };
    expect(await expireSessions(aedes, persistence, hooks, options)).toEqual([]);
    expect(forgotten).toEqual([]);
  });
});
