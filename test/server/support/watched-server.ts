import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { closeAll, connect, json, record, subscribeGrants, waitForMessage } from './mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from './test-server';

export interface WatchedServer {
  server: TestServer;
  /** notifier@demo, subscribed to every agent state. */
  watcher: MqttClient;
  /** Clients a test opened; closed after each test. */
  open: MqttClient[];
  /** Resolves once a state agent-02 publishes now reaches the watcher. */
  stillServes(): Promise<void>;
}

/**
 * For tests that throw hostile input at the broker and then check it still serves
 * everyone else: registers the file's hooks and returns the fixture, filled in before
 * the first test. `transport` is how the watcher and the probing agent connect.
 */
export function useWatchedServer(options: {
  maxPacketBytes: number;
  transport: 'tcp' | 'ws';
}): WatchedServer {
  const fixture = { open: [] as MqttClient[] } as WatchedServer;
  const url = () => (options.transport === 'ws' ? fixture.server.wsUrl : fixture.server.mqttUrl);

  fixture.stillServes = async () => {
    const seen = record(fixture.watcher);
    const agent = await connect(url(), {
      username: 'agent-02@demo',
      password: DEMO_PASSWORD,
      clientId: `probe-${Date.now()}`,
    });
    fixture.open.push(agent);
    const marker = `alive-${Date.now()}`;
    await agent.publishAsync(
      'agents/agent-02/state',
      json({ status: 'idle', detail: marker, updatedAt: Date.now() }),
      { qos: 1 },
    );
    await waitForMessage(seen, (m) => m.payload.includes(marker));
  };

  beforeAll(async () => {
    fixture.server = await startTestServer({ maxPacketBytes: options.maxPacketBytes });
    fixture.watcher = await connect(url(), {
      username: 'notifier@demo',
      password: DEMO_PASSWORD,
      clientId: `watcher-${options.transport}`,
    });
    await subscribeGrants(fixture.watcher, ['agents/+/state']);
  });
  afterEach(async () => {
    await closeAll(fixture.open.splice(0));
  });
  afterAll(async () => {
    await fixture.watcher.endAsync();
    await fixture.server.cleanup();
  });
  return fixture;
}
