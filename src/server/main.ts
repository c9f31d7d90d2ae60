import type { AgentFleet } from '../agents/agent-fleet';
import { startServer, type RunningServer } from './app';
import { ConfigError, loadConfig } from './config';
import { takeUnshownDemoLogins } from './demo-credentials';
import { startDemoFleet } from './demo-fleet';
import { describeListenError } from './listen-error';
import { createLogger } from './logger';
import { plaintextWarning } from './plaintext-warning';
import { formatDemoLogins, type DemoLogin } from './seed';

// `npm start`: the whole system on one machine, with a demo org and a fleet of simulated
// agents so a new user sees a living workspace.

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Installed before the start, which may take long (it catches up with what the CLI changed
  // while the server was down): a signal then gives the start up, and what it has opened is
  // closed, as it is once the server runs. Once each: a second Ctrl-C ends the process at once.
  const starting = new AbortController();
  let server: RunningServer | null = null;
  let fleet: AgentFleet | null = null;
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.info({ event: 'shutdown', signal, starting: server === null }, 'shutting down');
    if (server === null) {
      starting.abort(); // startServer closes what it opened, and rejects: below
      return;
    }
    await fleet?.stop();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    server = await startServer(config, { logger, signal: starting.signal });
  } catch (error) {
    if (starting.signal.aborted && error === starting.signal.reason) process.exit(0);
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    const problem = describeListenError(error, config);
    if (problem === null) throw error;
    console.error(`Cannot start: ${problem}`);
    process.exit(1);
  }
  const exposed = plaintextWarning(config);
  if (exposed) logger.warn({ event: 'plaintext_exposed', host: config.host }, exposed);
  printWelcome(server, takeUnshownDemoLogins(config.dataDir));
  // After the welcome: agents that wait out a busy broker must not hold up the URL.
  fleet = await startDemoFleet(config, server, logger);
}

function printWelcome(server: RunningServer, demoLogins: DemoLogin[]): void {
  const lines = [
    '',
    `  Switchboard is running: ${server.httpUrl}`,
    `  MQTT for services and devices: ${server.mqttUrl} (WebSocket: ${server.wsUrl})`,
    '',
    ...(demoLogins.length > 0
      ? [
          '  Demo logins (org "demo"); passwords are shown only now:',
          ...formatDemoLogins(demoLogins),
        ]
      : ['  Sign in with your users; manage them with `npm run cli -- user list`.']),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
