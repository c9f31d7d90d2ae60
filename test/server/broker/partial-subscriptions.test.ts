import { describe, expect, it } from 'vitest';
import {
  connect,
  json,
  record,
  retainIdleStates,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A member denied one room, or one agent, still subscribes to the app's wide filters: the
// broker grants them without the denied part (evaluateSubscribe) and checks each delivery.

const fixture = useTestServer({
  async setup(server) {
    server.storage.rooms.add('demo', 'secret'); // a room they are denied, not one that is not there
    server.storage.users.setExtraRules('demo', 'alice', [
      { permission: 'deny', action: 'all', topic: 'chat/secret/#' },
      { permission: 'deny', action: 'subscribe', topic: 'agents/agent-02/#' },
    ]);
    await retainIdleStates(server.mqttUrl, ['agent-01', 'agent-02'], DEMO_PASSWORD);
  },
});
const { member, open } = fixture;

async function agent(id: string) {
  const client = await connect(fixture.server.mqttUrl, {
    username: `${id}@demo`,
    password: DEMO_PASSWORD,
    clientId: `${id}-dev`,
  });
  open.push(client);
  return client;
}

const chat = (from: string, text: string) =>
  json({ id: `${from}-${text}`, from, text, sentAt: Date.now() });
const state = (status: string) => json({ status, updatedAt: Date.now() });

describe('a filter a deny rule covers only part of', () => {
  it('is granted; a filter inside the denied part is not', async () => {
    const alice = await member('alice');
    expect(
      await subscribeGrants(alice, ['chat/+/+', 'agents/+/state', 'chat/secret/+', 'chat/#']),
    ).toEqual([1, 1, 128, 128]);
  });

  it('delivers the rest, live and retained, and never what the deny rule covers', async () => {
    const alice = await member('alice');
    const seen = record(alice);
    await subscribeGrants(alice, ['chat/+/+', 'agents/+/state']);
    await waitForMessage(seen, (m) => m.topic === 'agents/agent-01/state'); // retained

    const bob = await member('bob');
    await bob.publishAsync('chat/secret/messages', chat('bob', 'hidden'), { qos: 1 });
    await bob.publishAsync('chat/general/messages', chat('bob', 'shown'), { qos: 1 });
    await (
      await agent('agent-02')
    ).publishAsync('agents/agent-02/state', state('error'), {
      qos: 1,
    });
    await (
      await agent('agent-01')
    ).publishAsync('agents/agent-01/state', state('working'), {
      qos: 1,
    });
    await waitForMessage(seen, (m) => m.payload.includes('working'));
    await waitForMessage(seen, (m) => m.payload.includes('shown'));
    expect(seen.map((m) => m.topic).sort()).toEqual([
      'agents/agent-01/state',
      'agents/agent-01/state',
      'chat/general/messages',
    ]);
    expect(alice.connected).toBe(true);
  });

  it('withholds the denied part from a persistent session, queued and after it resumes', async () => {
    const clientId = 'alice-resumes';
    const first = await member('alice', { clientId, clean: false });
    await subscribeGrants(first, ['chat/+/+']);
    await first.endAsync();
    const bob = await member('bob');
    await bob.publishAsync('chat/secret/messages', chat('bob', 'queued-hidden'), { qos: 1 });
    await bob.publishAsync('chat/general/messages', chat('bob', 'queued-shown'), { qos: 1 });

    // The stored chat/+/+ comes back at CONNECT, through the same check.
    const back = await member('alice', { clientId, clean: false });
    const seen = record(back);
    await waitForMessage(seen, (m) => m.payload.includes('queued-shown'));
    await bob.publishAsync('chat/secret/messages', chat('bob', 'live-hidden'), { qos: 1 });
    await bob.publishAsync('chat/general/messages', chat('bob', 'live-shown'), { qos: 1 });
    await waitForMessage(seen, (m) => m.payload.includes('live-shown'));
    expect(seen.map((m) => m.topic)).toEqual(['chat/general/messages', 'chat/general/messages']);
  });

  it('leaves other members’ deliveries alone', async () => {
    const bob = await member('bob');
    const seen = record(bob);
    expect(await subscribeGrants(bob, ['chat/+/+'])).toEqual([1]);
    const admin = await member('admin');
    await admin.publishAsync('chat/secret/messages', chat('admin', 'for-bob'), { qos: 1 });
    const got = await waitForMessage(seen, (m) => m.payload.includes('for-bob'));
    expect(got.topic).toBe('chat/secret/messages');
  });
});
