import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A Last Will is written at CONNECT and said when it fires, maybe days later: the broker
// stamps its time again then (restamp-will.ts), as it does a chat will's sentAt.

const DAY = 86_400_000;
const t = useTestServer();

/** Connects as a password account (an agent, a service), as a device or script does. */
async function device(user: string, will: NonNullable<Parameters<typeof connect>[1]['will']>) {
  const client = await connect(t.server.mqttUrl, {
    username: `${user}@demo`,
    password: DEMO_PASSWORD,
    clientId: `${user}-${randomUUID().slice(0, 8)}`,
    will,
  });
  t.open.push(client);
  return client;
}

/** Drops the connection without DISCONNECT, so the will fires; resolves with when. */
function crash(client: MqttClient): number {
  const firedAt = Date.now();
  client.stream.destroy();
  return firedAt;
}

const stampedWhenFired = (time: number, firedAt: number) => {
  expect(time).toBeGreaterThanOrEqual(firedAt);
  expect(time).toBeLessThan(firedAt + 10_000);
};

describe('a Last Will written days before it fires', () => {
  it('an agent’s offline state: updatedAt is when it went offline, also as retained', async () => {
    const watcher = await t.member('bob');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['agents/+/state']);
    const connectedAt = Date.now() - 3 * DAY; // a will written three days ago
    const agent = await device('agent-02', {
      topic: 'agents/agent-02/state',
      payload: Buffer.from(json({ status: 'offline', updatedAt: connectedAt })),
      qos: 1,
      retain: true,
    });
    await agent.publishAsync(
      'agents/agent-02/state',
      json({ status: 'working', updatedAt: Date.now() }),
      { qos: 1, retain: true },
    );
    await waitForMessage(seen, (m) => m.payload.includes('working'));
    seen.length = 0; // what follows is the will's

    const firedAt = crash(agent);
    const will = await waitForMessage(seen, (m) => m.payload.includes('offline'));
    stampedWhenFired((JSON.parse(will.payload) as { updatedAt: number }).updatedAt, firedAt);

    const later = await t.member('alice');
    const retained = record(later);
    await subscribeGrants(later, ['agents/agent-02/state']);
    const kept = await waitForMessage(retained, (m) => m.retain);
    expect(JSON.parse(kept.payload)).toEqual({ status: 'offline', updatedAt: expect.any(Number) });
    stampedWhenFired((JSON.parse(kept.payload) as { updatedAt: number }).updatedAt, firedAt);
  });

  it('a presence: offline since it went offline, not since it connected', async () => {
    const watcher = await t.member('bob');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['presence/+/+']);
    const clientId = `alice-${randomUUID().slice(0, 8)}`;
    const topic = `presence/alice/${clientId}`;
    const alice = await t.member('alice', {
      clientId,
      will: {
        topic,
        payload: Buffer.from(json({ status: 'offline', since: Date.now() - 3 * DAY })),
        qos: 1,
        retain: true,
      },
    });
    await alice.publishAsync(topic, json({ status: 'online', since: Date.now() }), {
      qos: 1,
      retain: true,
    });
    await waitForMessage(seen, (m) => m.topic === topic && m.payload.includes('online'));
    seen.length = 0;

    const firedAt = crash(alice);
    const will = await waitForMessage(
      seen,
      (m) => m.topic === topic && m.payload.includes('offline'),
    );
    stampedWhenFired((JSON.parse(will.payload) as { since: number }).since, firedAt);
  });

  it('a notification: accepted at CONNECT, createdAt when it fires', async () => {
    const bob = await t.member('bob');
    const seen = record(bob);
    await subscribeGrants(bob, ['notifications/bob']);
    const id = randomUUID();
    const notifier = await device('notifier', {
      topic: 'notifications/bob',
      payload: Buffer.from(
        json({ id, title: 'The notifier went away', body: '', createdAt: Date.now() - 40 * DAY }),
      ),
      qos: 1,
      retain: false,
    });
    const firedAt = crash(notifier);
    const will = await waitForMessage(seen, (m) => m.payload.includes(id));
    stampedWhenFired((JSON.parse(will.payload) as { createdAt: number }).createdAt, firedAt);
  });
});
