import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS_PER_CLIENT } from '../../../src/server/broker/subscription-limit';
import { eventually } from '../support/eventually';
import { connect, json, record, resume, waitForMessage } from '../support/mqtt-clients';
import { writeBrokerStore } from '../support/raw-persistence';
import {
  DEMO_PASSWORD,
  makeDataDir,
  startTestServer,
  type TestServer,
} from '../support/test-server';

// Sessions stored before the broker kept only granted filters may hold the others, as their
// clients named them (granted-subscriptions.ts): a stray `#` matched every org's messages
// and queued them for the session while it was away. They go at the first start.

const SESSION = 'demo:alice:stray-session';
const STATE = 'agents/agent-01/state';
const REPLIES = 'agents/agent-01/replies';
const login = { username: 'alice@demo', password: DEMO_PASSWORD, clientId: 'stray-session' };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

/** Stores subscriptions for the session as an older Switchboard did, without any check. */
function storeAsBefore(dataDir: string, subs: { topic: string; qos: number }[]) {
  return writeBrokerStore(dataDir, 'older', (persistence) =>
    persistence.addSubscriptions({ id: SESSION }, subs),
  );
}

/** A data dir as an older Switchboard left it: a session with a granted and a stray filter. */
async function dataDirWithStrayFilter(): Promise<string> {
  const dataDir = await makeDataDir();
  await storeAsBefore(dataDir, [
    { topic: `$demo/${REPLIES}`, qos: 1 },
    { topic: '#', qos: 1 },
  ]);
  return dataDir;
}

const storedTopics = async (running: TestServer) => {
  const { persistence } = running.broker.aedes as unknown as {
    persistence: { subscriptionsByClient(client: { id: string }): Promise<{ topic: string }[]> };
  };
  return (await persistence.subscriptionsByClient({ id: SESSION })).map((sub) => sub.topic).sort();
};

describe('a stored session’s stray filters', () => {
  it('are dropped at the first start, and queue nothing while the session is away', async () => {
    server = await startTestServer({ dataDir: await dataDirWithStrayFilter() });
    expect(await storedTopics(server)).toEqual([`$demo/${REPLIES}`]);

    const agent = await connect(server.mqttUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'agent-01-stray',
    });
    await agent.publishAsync(STATE, json({ status: 'working', progress: 1, updatedAt: 1 }), {
      qos: 1,
    });
    await agent.publishAsync(REPLIES, json({ commandId: 'c1', status: 'done' }), { qos: 1 });
    await agent.endAsync();

    const { client } = await resume(server.mqttUrl, login);
    try {
      const seen = record(client);
      await waitForMessage(seen, (m) => m.topic === REPLIES);
      expect(seen.filter((m) => !m.retain).map((m) => m.topic)).toEqual([REPLIES]);
    } finally {
      await client.endAsync();
    }
  });

  it('are looked for once per data dir, not at every start', async () => {
    const dataDir = await dataDirWithStrayFilter();
    server = await startTestServer({ dataDir });
    await server.close();
    server = undefined;
    await storeAsBefore(dataDir, [{ topic: '#', qos: 1 }]);
    server = await startTestServer({ dataDir });
    expect(await storedTopics(server)).toEqual(['#', `$demo/${REPLIES}`]);
  });
});

describe('a stored session with more filters than a connection may hold', () => {
  it('keeps those restored within the limit; the rest leave the store and queue nothing', async () => {
    const dataDir = await makeDataDir();
    const over = 5;
    const filters = Array.from({ length: MAX_SUBSCRIPTIONS_PER_CLIENT + over }, (_, i) => ({
      topic: `$demo/chat/r${String(i).padStart(4, '0')}/messages`,
      qos: 1,
    }));
    await storeAsBefore(dataDir, filters);
    server = await startTestServer({ dataDir });
    expect(await storedTopics(server)).toHaveLength(filters.length);

    const { client } = await resume(server.mqttUrl, login);
    try {
      await eventually(
        async () => (await storedTopics(server!)).length === MAX_SUBSCRIPTIONS_PER_CLIENT,
        5_000,
        'the filters over the limit removed from the store',
      );
    } finally {
      await client.endAsync();
    }
  });
});
