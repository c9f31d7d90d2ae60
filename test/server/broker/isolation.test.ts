import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

const fixture = useTestServer({
  async setup(server) {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    server.storage.users.addOrg('acme');
    server.storage.users.addUser({ org: 'acme', user: 'eve', role: 'admin', passwordHash });
    server.storage.users.addUser({
      org: 'acme',
      user: 'agent-01',
      role: 'agent',
      passwordHash,
    });
  },
});
const { open } = fixture;

const person = (user: string, org: string, clientId = `${user}-${org}`) =>
  fixture.member(user, { org, clientId });

async function agent(org: string, options: Parameters<typeof connect>[1] = {}) {
  const client = await connect(fixture.server.mqttUrl, {
    username: `agent-01@${org}`,
    password: DEMO_PASSWORD,
    clientId: 'agent-01',
    ...options,
  });
  open.push(client);
  return client;
}

const state = (status: string) => json({ status, updatedAt: Date.now() });

describe('organisations are isolated by mount points', () => {
  it('live messages, retained states and wills never cross orgs', async () => {
    const eve = await person('eve', 'acme');
    const eveSeen = record(eve);
    await subscribeGrants(eve, ['chat/+/+', 'agents/+/state', 'presence/+/+']);

    const demoAgent = await agent('demo', {
      will: {
        topic: 'agents/agent-01/state',
        payload: Buffer.from(state('offline')),
        qos: 1,
        retain: true,
      },
    });
    await demoAgent.publishAsync('agents/agent-01/state', state('working'), {
      qos: 1,
      retain: true,
    });
    const alice = await person('alice', 'demo');
    await alice.publishAsync(
      'chat/general/messages',
      json({ id: 'd1', from: 'alice', text: 'demo only', sentAt: Date.now() }),
      { qos: 1 },
    );
    demoAgent.stream.destroy();

    // acme's own traffic arrives, proving eve's subscriptions work and ordering the check.
    const acmeAgent = await agent('acme');
    await acmeAgent.publishAsync('agents/agent-01/state', state('idle'), { qos: 1, retain: true });
    await waitForMessage(eveSeen, (m) => m.payload.includes('idle'));
    expect(eveSeen.filter((m) => !m.payload.includes('idle'))).toEqual([]);

    // A late subscriber in acme sees acme's retained state only.
    const late = await person('eve', 'acme', 'eve-late');
    const lateSeen = record(late);
    await subscribeGrants(late, ['agents/+/state']);
    await waitForMessage(lateSeen, (m) => m.retain);
    expect(lateSeen.map((m) => JSON.parse(m.payload).status)).toEqual(['idle']);
  });

  it("$SYS is per org: an admin sees its own org's statistics", async () => {
    const eve = await person('eve', 'acme');
    const seen = record(eve);
    expect(await subscribeGrants(eve, ['$SYS/#', '#'])).toEqual([1, 128]);
    await person('alice', 'demo', 'alice-sys');
    // Connections of the previous test may take a moment to close; the count settles at 1.
    const connected = (m: { topic: string }) => m.topic === '$SYS/broker/clients/connected';
    await waitForMessage(seen, (m) => connected(m) && m.payload === '1');
    // More connections in demo change nothing in acme's statistics.
    const from = seen.length;
    await person('bob', 'demo', 'bob-sys');
    await new Promise((resolve) => setTimeout(resolve, 600)); // past the stats debounce
    expect(seen.slice(from).filter((m) => connected(m) && m.payload !== '1')).toEqual([]);
  });

  it('the same client id in another org, or for another user, takes over nothing', async () => {
    const demoAgent = await agent('demo');
    const acmeAgent = await agent('acme'); // same username part and client id, other org
    const alice = await person('alice', 'demo', 'shared-id');
    const bob = await person('bob', 'demo', 'shared-id'); // bob reuses alice's client id
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([demoAgent, acmeAgent, alice, bob].map((c) => c.connected)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('a second connection of the same user with the same client id takes over its session', async () => {
    const first = await person('alice', 'demo', 'alice-tab');
    const closed = new Promise((resolve) => first.once('close', () => resolve(undefined)));
    await person('alice', 'demo', 'alice-tab');
    await closed;
    expect(first.connected).toBe(false);
  });
});
