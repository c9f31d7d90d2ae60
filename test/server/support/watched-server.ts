import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { connect, json, record, subscribeGrants, waitForMessage } from './mqtt-clients';
import { useTestServer, type ServerFixture } from './server-fixture';
import { DEMO_PASSWORD } from './test-server';

export interface WatchedServer extends ServerFixture {
  /** notifier@demo, subscribed to every agent state. */
  watcher: MqttClient;
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
  const fixture = useTestServer({
    config: { maxPacketBytes: options.maxPacketBytes },
  }) as WatchedServer;
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
    fixture.watcher = await connect(url(), {
      username: 'notifier@demo',
      password: DEMO_PASSWORD,
      clientId: `watcher-${options.transport}`,
    });
    await subscribeGrants(fixture.watcher, ['agents/+/state']);
  });
  // Registered after the server's own hooks, so it runs before the server stops.
  afterAll(() => fixture.watcher.endAsync());
  return fixture;
}
