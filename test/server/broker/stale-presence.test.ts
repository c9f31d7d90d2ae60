import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClientId } from '../../../src/server/broker/mount-point';
import type { BrokerPersistence } from '../../../src/server/broker/persistence';
import {
  clearStalePresence,
  MAX_SINCE_AHEAD_MS,
  MAX_STALE_PRESENCE_PER_SWEEP,
} from '../../../src/server/broker/stale-presence';
import { eventually } from '../support/eventually';
import { closeAll, connect, json } from '../support/mqtt-clients';
import { retainAsBroker } from '../support/retain-as-broker';
import {
  DEMO_PASSWORD,
  makeDataDir,
  startTestServer,
  type TestServer,
} from '../support/test-server';

// Every client id a user connects with keeps its retained presence: a clean session leaves
// no session to expire, so a client that connects with a new id each run left one more
// for good. The broker clears those whose client has been gone longer than a session is
// kept, unless a connection or a stored session stands behind them.

const DAY_MS = 86_400_000;
let server: TestServer;
const open: mqtt.MqttClient[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await closeAll(open);
  await server.cleanup();
});

/** Connects as `user` with a password, says `status` as of `since`, and maybe leaves. */
async function presence(
  user: string,
  clientId: string,
  { status, since, clean = true, stay = false }: PresenceOptions,
): Promise<string> {
  const client = await connect(server.mqttUrl, {
    username: `${user}@demo`,
    password: DEMO_PASSWORD,
    clientId,
    clean,
  });
  const topic = `presence/${user}/${clientId}`;
  // A session is stored once it holds something: a subscription.
  if (!clean) await client.subscribeAsync(`notifications/${user}`, { qos: 1 });
  await client.publishAsync(topic, json({ status, since }), { qos: 1, retain: true });
  if (stay) open.push(client);
  else await client.endAsync(); // a DISCONNECT: no will, the presence stays as said
  return topic;
}

interface PresenceOptions {
  status: 'online' | 'offline';
  since: number;
  clean?: boolean;
  stay?: boolean;
}

const retained = (topic: string) => server.broker.retainedTopics('demo', topic).length > 0;
const sweep = (before: number) => server.broker.clearStalePresence(['demo'], before);

describe('stale presence on the real broker', () => {
  it('clears presences of clients long gone; keeps recent, connected and stored ones', async () => {
    const now = Date.now();
    const old = now - 30 * DAY_MS;
    const goneOffline = await presence('alice', 'alice-run-1', { status: 'offline', since: old });
    const goneOnline = await presence('bob', 'bob-script', { status: 'online', since: old });
    const recent = await presence('alice', 'alice-run-2', { status: 'offline', since: now });
    const connected = await presence('bob', 'bob-tab', {
      status: 'online',
      since: old,
      stay: true,
    });
    const storedSession = await presence('alice', 'alice-device', {
      status: 'offline',
      since: old,
      clean: false,
    });
    await eventually(async () =>
      (await server.broker.admin.storedSessions('demo')).some(
        (session) => session.clientId === 'alice-device',
      ),
    );

    const cleared = await sweep(now - 14 * DAY_MS);

    expect(cleared).toEqual(
      expect.arrayContaining([
        { org: 'demo', user: 'alice', clientId: 'alice-run-1' },
        { org: 'demo', user: 'bob', clientId: 'bob-script' },
      ]),
    );
    expect(cleared).toHaveLength(2);
    expect(retained(goneOffline)).toBe(false);
    expect(retained(goneOnline)).toBe(false);
    for (const kept of [recent, connected, storedSession]) expect(retained(kept)).toBe(true);
  });

  it('counts a presence stamped further ahead than a clock can be as old', async () => {
    const now = Date.now();
    // Retained before the broker refused a `since` over a minute ahead (check-state-time.ts):
    // a data dir of an earlier version may hold them.
    const far = 'presence/bob/bob-micros';
    await retainOffline(server, far, now * 1_000);
    const near = 'presence/bob/bob-fast-clock';
    await retainOffline(server, near, now + MAX_SINCE_AHEAD_MS / 2);
    expect(await sweep(now - 14 * DAY_MS)).toEqual([
      { org: 'demo', user: 'bob', clientId: 'bob-micros' },
    ]);
    expect(retained(far)).toBe(false);
    expect(retained(near)).toBe(true);
  });

  it('clears one retained before fields outside the contract were refused', async () => {
    const topic = 'presence/bob/bob-old-app';
    await retainOffline(server, topic, 1, { device: 'phone' });
    expect(await sweep(Date.now() - 14 * DAY_MS)).toEqual([
      { org: 'demo', user: 'bob', clientId: 'bob-old-app' },
    ]);
    expect(retained(topic)).toBe(false);
  });

  it('leaves a presence said again after the sweep read it', async () => {
    const topic = await presence('alice', 'alice-back', { status: 'offline', since: 1 });
    const { aedes } = server.broker;
    const { persistence } = aedes as unknown as { persistence: BrokerPersistence };
    let asked = 0;
    // Its client comes back, says where it is, and leaves, between the read (the first
    // question) and the clear (the second).
    const inUse = () => {
      // Retained at once, as the publish starts; its acknowledgement is not waited for.
      if (++asked === 2) void retainOffline(server, topic, Date.now());
      return new Set(
        server.broker.connections().map((c) => mountClientId(c.org, c.user, c.clientId)),
      );
    };
    const cleared = await clearStalePresence(
      aedes,
      persistence,
      ['demo'],
      inUse,
      Date.now() - DAY_MS,
    );
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(cleared).toEqual([]);
    expect(retained(topic)).toBe(true);
  });

  it('clears only the orgs it is given', async () => {
    const topic = await presence('alice', 'alice-run-3', { status: 'offline', since: 1 });
    expect(await server.broker.clearStalePresence(['another-org'], Date.now())).toEqual([]);
    expect(retained(topic)).toBe(true);
    await sweep(Date.now());
    expect(retained(topic)).toBe(false);
  });

  it(`clears at most ${MAX_STALE_PRESENCE_PER_SWEEP} a sweep; the next sweeps go on`, async () => {
    const count = MAX_STALE_PRESENCE_PER_SWEEP + 20;
    // As many clients as that, each gone for long, published straight into the broker.
    const topics = Array.from({ length: count }, (_, i) => `presence/alice/alice-old-${i}`);
    await Promise.all(topics.map((topic) => retainOffline(server, topic, 1)));
    expect(topics.filter(retained)).toHaveLength(count);

    expect(await sweep(Date.now())).toHaveLength(MAX_STALE_PRESENCE_PER_SWEEP);
    expect(await sweep(Date.now())).toHaveLength(count - MAX_STALE_PRESENCE_PER_SWEEP);
    expect(topics.filter(retained)).toEqual([]);
  });

  it('is swept as the server starts', async () => {
    const dataDir = await makeDataDir();
    const topic = 'presence/bob/bob-cron-job';
    const first = await startTestServer({ dataDir });
    try {
      await retainOffline(first, topic, 1);
      expect(first.broker.retainedTopics('demo', topic)).toEqual([topic]);
    } finally {
      await first.close();
    }
    const second = await startTestServer({ dataDir });
    try {
      await eventually(() => second.broker.retainedTopics('demo', topic).length === 0);
    } finally {
      await second.cleanup();
    }
  });
});

/** An offline presence retained straight into `server`'s broker, as its client would say it. */
function retainOffline(server: TestServer, topic: string, since: number, extra: object = {}) {
  return retainAsBroker(server, topic, { status: 'offline', since, ...extra });
}
