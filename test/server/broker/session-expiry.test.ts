import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Aedes } from 'aedes';
import type { BrokerPersistence } from '../../../src/server/broker/persistence';
import type { RetainedPacket } from '../../../src/server/broker/retained-index';
import { expireSessions } from '../../../src/server/broker/session-expiry';
import { eventually } from '../support/eventually';
import { closeAll, connect, json, subscribeGrants } from '../support/mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/test-server';

// MQTT 3.1.1 sessions never expire: each abandoned browser session would queue every chat
// message for ever and keep its presence retained. The broker drops a persistent session
// whose client stayed away longer than SESSION_EXPIRY_DAYS.

let server: TestServer;
const open: mqtt.MqttClient[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await closeAll(open);
  await server.cleanup();
});

const persistent = async (clientId: string) => {
  const client = await connect(server.mqttUrl, {
    username: 'alice@demo',
    password: DEMO_PASSWORD,
    clientId,
    clean: false,
  });
  open.push(client);
  await subscribeGrants(client, ['chat/+/+'], 1);
  await client.publishAsync(
    `presence/alice/${clientId}`,
    json({ status: 'online', since: Date.now() }),
    { qos: 1, retain: true },
  );
  return client;
};
const awayIds = async () =>
  (await server.broker.admin.storedSessions('demo')).map((session) => session.clientId);
const presenceTopics = () => server.broker.retainedTopics('demo', 'presence/alice/+');

describe('session expiry', () => {
  it('drops an away session’s subscriptions, queue and presence; keeps connected and recent ones', async () => {
    const gone = await persistent('alice-old');
    await persistent('alice-here');
    await gone.endAsync();
    await eventually(async () => (await awayIds()).includes('alice-old'));
    const bob = await connect(server.mqttUrl, {
      username: 'bob@demo',
      password: DEMO_PASSWORD,
      clientId: 'bob-1',
    });
    open.push(bob);
    await bob.publishAsync(
      'chat/general/messages',
      json({ id: 'queued-1', from: 'bob', text: 'while away', sentAt: Date.now() }),
      { qos: 1 },
    );

    // Away less long than the expiry: kept.
    expect(await server.broker.expireSessions(Date.now() - 60_000)).toEqual([]);
    expect(await awayIds()).toContain('alice-old');

    // Away longer (its disconnect noted once the write lands).
    await eventually(async () => {
      const expired = await server.broker.expireSessions(Date.now() + 1);
      return expired.some((session) => session.clientId === 'alice-old');
    });
    expect(await awayIds()).not.toContain('alice-old');
    expect(presenceTopics()).toEqual(['presence/alice/alice-here']);

    // Coming back starts afresh [MQTT-3.2.2-2]: no session, nothing queued.
    const back = mqtt.connect(server.mqttUrl, {
      username: 'alice@demo',
      password: DEMO_PASSWORD,
      clientId: 'alice-old',
      clean: false,
      reconnectPeriod: 0,
    });
    open.push(back);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve) =>
      back.once('connect', resolve),
    );
    expect(connack.sessionPresent).toBe(false);
  });
});

describe('expireSessions', () => {
  it('counts a session stored before last-seen times were kept from its first sweep', async () => {
    const seen = new Map<string, number>();
    const forgotten: string[] = [];
    const persistence = {
      markSeen: async (ids: string[], at: number) => ids.forEach((id) => seen.set(id, at)),
      lastSeen: async (id: string) => seen.get(id),
      storedClientIds: async () => new Set(['demo:alice:old-tab']),
      seenClientIds: async () => [...seen.keys()],
      forgetSeen: async (id: string) => void seen.delete(id),
      forgetSession: async (id: string) => void forgotten.push(id),
      retained: { match: function* (): Generator<RetainedPacket> {} },
    } as unknown as BrokerPersistence;
    const clients = { connected: () => new Set<string>(), persistent: [] };
    const aedes = {} as Aedes;

    expect(await expireSessions(aedes, persistence, clients, 1_000, 500)).toEqual([]);
    expect(seen.get('demo:alice:old-tab')).toBe(500);
    expect(forgotten).toEqual([]);
    const expired = await expireSessions(aedes, persistence, clients, 1_000, 2_000);
    expect(expired).toEqual([{ org: 'demo', user: 'alice', clientId: 'old-tab' }]);
    expect(forgotten).toEqual(['demo:alice:old-tab']);
  });
});
