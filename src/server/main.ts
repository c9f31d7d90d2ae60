import { startAgentFleet } from '../agents/agent-fleet';
import { startServer, type RunningServer } from './app';
import { ConfigError, loadConfig } from './config';
import { loadDemoCredentials } from './demo-credentials';
import { createLogger } from './logger';
import { DEMO_ORG, formatDemoLogins } from './seed';

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
  const server = await startServer(config, { logger });

  const fleetLogins = loadDemoCredentials(config.dataDir);
  const password = (user: string) =>
    fleetLogins.find((login) => login.username === `${user}@${DEMO_ORG}`)?.password ?? '';
  const notifier = fleetLogins.find((login) => login.role === 'service');
  const fleet =
    config.demoAgents > 0 && fleetLogins.length > 0
      ? await startAgentFleet({
          url: server.mqttUrl,
          count: Math.min(
            config.demoAgents,
            fleetLogins.filter((login) => login.role === 'agent').length,
          ),
          password,
          org: DEMO_ORG,
          notifier: notifier
            ? {
                username: notifier.username,
                password: notifier.password,
                recipients: ['alice', 'bob', 'admin'],
              }
            : null,
          logger: (line) => logger.debug({ event: 'demo_agent' }, line),
        })
      : null;

  printWelcome(server);

  const shutdown = async (signal: string) => {
    logger.info({ event: 'shutdown', signal }, 'shutting down');
    await fleet?.stop();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

function printWelcome(server: RunningServer): void {
  const lines = [
    '',
    `  Switchboard is running: ${server.httpUrl}`,
    `  MQTT for services and devices: ${server.mqttUrl} (WebSocket: ${server.wsUrl})`,
    '',
    ...(server.seed.created
      ? [
          '  Demo logins (org "demo"); passwords are shown only now:',
          ...formatDemoLogins(server.seed.logins),
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
