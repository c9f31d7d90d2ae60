import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password';
import { presenceSchema } from '../../../src/shared/schemas';
import { json, record, waitForMessage } from '../support/mqtt-clients';
import { retainAsBroker } from '../support/retain-as-broker';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// broker.admin.markOffline: a (disabled) user's retained presences still saying online turn
// offline, as their wills would have said, and nothing else changes (offline-presence.ts).

const fixture = useTestServer({
  async setup(server) {
    server.storage.users.addOrg('acme');
    server.storage.users.addUser({
      org: 'acme',
      user: 'alice',
      role: 'member',
      passwordHash: await hashPassword(DEMO_PASSWORD),
    });
  },
});

const online = json({ status: 'online', since: 1 });

async function presenceAt(org: string, topic: string) {
  const { messages } = await fixture.server.broker.admin.retained(org, topic, 1);
  const found = messages.find((message) => message.topic === topic);
  return found && presenceSchema.parse(JSON.parse(found.preview));
}

/** Retains `payload` as `user`'s presence under a client id of its own; its topic. */
async function retainPresence(user: string, payload: string, org = 'demo', stay = false) {
  const client = await fixture.member(user, { org });
  const topic = `presence/${user}/${client.options.clientId}`;
  await client.publishAsync(topic, payload, { qos: 1, retain: true });
  if (!stay) await client.endAsync(); // DISCONNECT: no will goes out
  return topic;
}

describe('markOffline', () => {
  it('turns offline the presences the user left online, and only those', async () => {
    const watcher = await fixture.member('bob');
    await watcher.subscribeAsync('presence/+/+', { qos: 1 });
    const seen = record(watcher);
    const left = [await retainPresence('alice', online), await retainPresence('alice', online)];
    const alreadyOffline = await retainPresence('alice', json({ status: 'offline', since: 5 }));
    const stillConnected = await retainPresence('alice', online, 'demo', true);
    const someoneElse = await retainPresence('bob', online);
    const otherOrg = await retainPresence('alice', online, 'acme');

    const before = Date.now();
    expect(await fixture.server.broker.admin.markOffline('demo', 'alice')).toBe(2);

    for (const topic of left) {
      const value = await presenceAt('demo', topic);
      expect(value?.status).toBe('offline');
      expect(value!.since).toBeGreaterThanOrEqual(before);
      // Those watching are told, at QoS 1 as a will would be.
      const message = await waitForMessage(
        seen,
        (m) => m.topic === topic && m.payload.includes('offline'),
      );
      expect(message.qos).toBe(1);
    }
    expect(await presenceAt('demo', alreadyOffline)).toEqual({ status: 'offline', since: 5 });
    expect(await presenceAt('demo', stillConnected)).toEqual({ status: 'online', since: 1 });
    expect(await presenceAt('demo', someoneElse)).toEqual({ status: 'online', since: 1 });
    expect(await presenceAt('acme', otherOrg)).toEqual({ status: 'online', since: 1 });
  });

  it('turns offline one retained before fields outside the contract were refused', async () => {
    await fixture.server.broker.admin.markOffline('demo', 'alice'); // what others left online
    const topic = 'presence/alice/alice-old-app';
    await retainAsBroker(fixture.server, topic, { status: 'online', since: 1, device: 'phone' });
    expect(await fixture.server.broker.admin.markOffline('demo', 'alice')).toBe(1);
    expect((await presenceAt('demo', topic))?.status).toBe('offline');
  });
});
