import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import type { Config } from '../../../src/server/config';
import { closeAll, connect } from './mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from './test-server';

export interface ServerFixture {
  /** The running server; a test may replace it (a restart on the same data dir). */
  server: TestServer;
  /** Clients a test opened; closed after each test. */
  open: MqttClient[];
  /** A member signed in as the browser app is: a token over WebSocket. */
  member(user: string, options?: { org?: string } & IClientOptions): Promise<MqttClient>;
  /** An agent, service or device of org demo with the demo's password, over TCP. */
  device(user: string): Promise<MqttClient>;
}

/**
 * One real server for a test file: registers the file's hooks (start, close each test's
 * clients, clean up) and returns the fixture, filled in before the first test.
 */
export function useTestServer(
  options: {
    config?: Partial<Config>;
    /** Where the server logs (silent by default). */
    logger?: Logger;
    setup?(server: TestServer): Promise<void>;
  } = {},
): ServerFixture {
  const fixture = { open: [] as MqttClient[] } as ServerFixture;

  fixture.member = async (user, { org = 'demo', ...mqttOptions } = {}) => {
    const clientId = mqttOptions.clientId ?? `${user}-${Math.random().toString(36).slice(2, 8)}`;
    const { token } = await fixture.server.tokens.mint({
      org,
      user,
      clientId,
      acl: roleRules('member'),
    });
    const client = await connect(fixture.server.wsUrl, {
      ...mqttOptions,
      username: `${user}@${org}`,
      password: token,
      clientId,
    });
    fixture.open.push(client);
    return client;
  };

  fixture.device = async (user) => {
    const client = await connect(fixture.server.mqttUrl, {
      username: `${user}@demo`,
      password: DEMO_PASSWORD,
      clientId: `${user}-${Math.random().toString(36).slice(2, 8)}`,
    });
    fixture.open.push(client);
    return client;
  };

  beforeAll(async () => {
    fixture.server = await startTestServer(options.config, options.logger);
    await options.setup?.(fixture.server);
  });
  afterEach(async () => {
    await closeAll(fixture.open.splice(0));
  });
  afterAll(() => fixture.server.cleanup());
  return fixture;
}
