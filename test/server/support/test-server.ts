import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { startServer, type RunningServer, type StartOptions } from '../../../src/server/app';
import { DEFAULTS, type Config } from '../../../src/server/config';
import { createLogger } from '../../../src/server/logger';

export const DEMO_PASSWORD = 'demo-password-1';

export interface TestServer extends RunningServer {
  config: Config;
  /** Stops the server and deletes its data dir. */
  cleanup(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'switchboard-test-'));
}

/**
 * The test server's configuration: 127.0.0.1, free ports, silent, the demo password, no
 * limit on a person's chat rate.
 */
export function testServerConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return {
    ...DEFAULTS,
    tls: null,
    allowedOrigins: [],
    trustProxy: [],
    demoPassword: DEMO_PASSWORD,
    port: 0,
    mqttPort: 0,
    logLevel: 'silent',
    dataDir,
    // Tests and benchmarks play a crowd's chat with one member (bursts of hundreds, 5,000
    // a second): the limit's own tests set it (chat-rate.test.ts).
    chatRatePerSecond: 0,
    ...overrides,
  };
}

/**
 * The real server on 127.0.0.1 with free ports and a temporary data dir; `logger` for a
 * test that reads what the server logs; `seed: false` for one that adds its own users.
 */
export async function startTestServer(
  overrides: Partial<Config> = {},
  logger: Logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  { seed }: Pick<StartOptions, 'seed'> = {},
): Promise<TestServer> {
  const config = testServerConfig(overrides.dataDir ?? (await makeDataDir()), overrides);
  const server = await startServer(config, { logger, seed });
  return {
    ...server,
    config,
    async cleanup() {
      await server.close();
      await rm(config.dataDir, { recursive: true, force: true });
    },
  };
}
