import type { Logger } from 'pino';
import { startAgentFleet, type AgentFleet, type FleetOptions } from '../agents/agent-fleet';
import { stoppedMessage, type RefusalMessage } from '../agents/reconnect-policy';
import type { RunningServer } from './app';
import { CONNACK } from './broker/refusal';
import type { Config } from './config';
import { demoCredentialsFile, loadDemoCredentials } from './demo-credentials';
import { DEMO_ORG, type DemoLogin } from './seed';

/**
 * The demo's simulated agents and notifier, if it has any. One the broker refuses (an
 * admin reset its password, disabled or removed its user) is left out with one warning;
 * the others run, and the server runs whatever becomes of them.
 */
export async function startDemoFleet(
  config: Config,
  server: RunningServer,
  logger: Logger,
  tuning: Pick<FleetOptions, 'reconnectPeriodMs'> = {},
): Promise<AgentFleet | null> {
  const fleetLogins = loadDemoCredentials(config.dataDir);
  const seededAgents = fleetLogins.filter((login) => login.role === 'agent').length;
  const count = Math.min(config.demoAgents, seededAgents);
  // Agents are seeded with the demo, at the data dir's first start only: a DEMO_AGENTS
  // raised since (or that first start's DEMO_AGENTS=0) would otherwise run fewer, silently.
  if (fleetLogins.length > 0 && config.demoAgents > seededAgents) {
    logger.warn(
      { event: 'demo_agents_not_seeded', wanted: config.demoAgents, seeded: seededAgents },
      `DEMO_AGENTS is ${config.demoAgents}, but this data dir's demo was seeded with ${seededAgents} agent(s), at its first start; ${count === 0 ? 'no demo agent or notifier runs' : `${count} run`}. Start with a new DATA_DIR for more.`,
    );
  }
  if (count === 0) return null;
  const password = (user: string) =>
    fleetLogins.find((login) => login.username === `${user}@${DEMO_ORG}`)?.password ?? '';
  const notifier = fleetLogins.find((login) => login.role === 'service');
  try {
    return await startAgentFleet({
      ...tuning,
      url: server.mqttUrl,
      count,
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
      // At start or later, a refused client stops for good: the same CONNECT would be
      // refused again, each try counting against the sign-in throttle.
      warn: (line) => logger.warn({ event: 'demo_agent_stopped' }, line),
      refusalMessage: demoRefusalMessage(config.dataDir, fleetLogins),
    });
  } catch (error) {
    logger.warn(
      { event: 'demo_fleet_failed', err: error },
      'the demo agents could not start; the server runs without them',
    );
    return null;
  }
}

/**
 * The demo signs its clients in with the passwords the seed kept, which no reset updates:
 * an admin who resets one may mean to shut the demo out of it (a leak, or the account
 * given to a real device). So the warning says what happened and how to undo it.
 */
function demoRefusalMessage(dataDir: string, logins: DemoLogin[]): RefusalMessage {
  const file = demoCredentialsFile(dataDir);
  return (username, error) => {
    const refused = `The demo cannot sign in ${username}: the broker refused`;
    const stays = 'It stays offline and is not retried.';
    switch (error.code) {
      case CONNACK.badUsernameOrPassword: {
        const role = logins.find((login) => login.username === username)?.role ?? 'agent';
        const again = `--password '<the password in that file>'`;
        return (
          `${refused} its password (${error.message}). It was changed, or the user removed, ` +
          `outside the demo, which still has the old one in ${file}. ${stays} To bring it ` +
          'back, write its new password into that file (or give it the one in the file again: ' +
          `npm run cli -- user passwd ${username} ${again}, or user add ${username} --role ` +
          `${role} ${again} if it was removed), then restart the server.`
        );
      }
      case CONNACK.notAuthorized:
        return (
          `${refused} it (${error.message}): most likely its user is disabled. ${stays} To ` +
          `bring it back, npm run cli -- user enable ${username}, then restart the server.`
        );
      default:
        return stoppedMessage(username, error);
    }
  };
}
