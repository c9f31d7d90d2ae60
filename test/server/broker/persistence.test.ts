import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { eventually } from '../support/eventually';
import { DEMO_PASSWORD, makeDataDir, startTestServer } from '../support/test-server';

let dataDir: string;

afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('broker state and history survive a restart on the same data dir', () => {
  it('keeps retained states, persistent sessions with their queued messages, and chat history', async () => {
    dataDir = await makeDataDir();
    const first = await startTestServer({ dataDir });
    const bobToken = async (server: typeof first) =>
      (
        await server.tokens.mint({
          org: 'demo',
          user: 'bob',
          clientId: 'bob-tab',
          acl: roleRules('member'),
        })
      ).token;

    // bob subscribes in a persistent session, then goes away.
    const bob = await connect(first.wsUrl, {
      username: 'bob@demo',
      password: await bobToken(first),
      clientId: 'bob-tab',
      clean: false,
    });
    expect(await subscribeGrants(bob, ['notifications/bob', 'chat/+/+'])).toEqual([1, 1]);
    await bob.endAsync();

    const agent = await connect(first.mqttUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'agent-01',
    });
    await agent.publishAsync(
      'agents/agent-01/state',
      json({ status: 'working', task: 'Indexing', progress: 40, updatedAt: 1 }),
      { qos: 1, retain: true },
    );
    await agent.endAsync();
    const notifier = await connect(first.mqttUrl, {
      username: 'notifier@demo',
      password: DEMO_PASSWORD,
      clientId: 'notifier',
    });
    const note = json({
      id: 'n-queued',
      title: 'While you were away',
      body: '',
      createdAt: Date.now(),
    });
    await notifier.publishAsync('notifications/bob', note, { qos: 1 });
    await notifier.endAsync();
    const alice = await connect(first.mqttUrl, {
      username: 'alice@demo',
      password: DEMO_PASSWORD,
      clientId: 'alice-1',
    });
    await alice.publishAsync(
      'chat/general/messages',
      json({ id: 'h1', from: 'alice', text: 'remember me', sentAt: Date.now() }),
      { qos: 1 },
    );
    await alice.endAsync();
    // aedes sends the PUBACK before routing (and so recording) a QoS 1 message.
    await eventually(() => first.storage.history.count('demo', 'general') === 1, 2_000);
    await first.close();

    const second = await startTestServer({ dataDir });
    try {
      // bob resumes his session without subscribing again: the queued notification and
      // new traffic arrive, with client-side topics (the mount point stays invisible).
      const resumed = await connect(second.wsUrl, {
        username: 'bob@demo',
        password: await bobToken(second),
        clientId: 'bob-tab',
        clean: false,
      });
      const seen = record(resumed);
      expect(resumed.connected).toBe(true);
      const queued = await waitForMessage(seen, (m) => m.topic === 'notifications/bob');
      expect(queued.payload).toBe(note);
      const alice2 = await connect(second.mqttUrl, {
        username: 'alice@demo',
        password: DEMO_PASSWORD,
        clientId: 'alice-1',
      });
      await alice2.publishAsync(
        'chat/general/messages',
        json({ id: 'h2', from: 'alice', text: 'after restart', sentAt: Date.now() }),
        { qos: 1 },
      );
      await waitForMessage(
        seen,
        (m) => m.topic === 'chat/general/messages' && m.payload.includes('h2'),
      );
      await alice2.endAsync();
      await resumed.endAsync();

      const viewer = await connect(second.mqttUrl, {
        username: 'notifier@demo',
        password: DEMO_PASSWORD,
        clientId: 'viewer',
      });
      const states = record(viewer);
      await subscribeGrants(viewer, ['agents/+/state']);
      const retained = await waitForMessage(states, (m) => m.topic === 'agents/agent-01/state');
      expect(retained).toMatchObject({ retain: true });
      expect(JSON.parse(retained.payload)).toMatchObject({ status: 'working', progress: 40 });
      await viewer.endAsync();

      const page = second.storage.history.page('demo', 'general', { limit: 10 });
      expect(page.messages.map((m) => m.id)).toEqual(['h1', 'h2']);
    } finally {
      await second.close();
    }
  });
});
