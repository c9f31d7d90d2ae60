import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'mqtt';
import { formatUsername } from '../shared/ids';
import type { AppNotification } from '../shared/schemas';
import { notificationsTopic } from '../shared/topics';
import {
  followReconnectPolicy,
  neverReconnect,
  RECONNECT_PERIOD_MS,
  stoppedMessage,
  type RefusalMessage,
} from './reconnect-policy';
import { SimulatedAgent } from './simulated-agent';
import type { Random } from './task-script';

export { SimulatedAgent } from './simulated-agent';

export interface NotifierOptions {
  /** The service user, `notifier` or already on the wire as `notifier@demo`. */
  username: string;
  password: string;
  /** Users who receive the fleet's periodic reports on `notifications/<user>`. */
  recipients: string[];
}

export interface FleetOptions {
  url: string;
  count: number;
  password: (agentId: string) => string;
  org?: string;
  notifier?: NotifierOptions | null;
  /** Base tick; each agent's ticks last 1–3 × this. */
  tickMs?: number;
  notifyEveryMs?: number;
  logger?: (line: string) => void;
  /**
   * For the line a client logs when it stops for good (its credentials refused): `logger`
   * when only that is given, else console.warn.
   */
  warn?: (line: string) => void;
  /** That line (who, why, how to bring it back); `stoppedMessage` if not given. */
  refusalMessage?: RefusalMessage;
  /** The wait before reconnecting (reconnect-policy.ts); tests shorten it. */
  reconnectPeriodMs?: number;
  /** Like Math.random; pass a fixed one for reproducible runs and tests. */
  random?: Random;
}

export interface AgentFleet {
  /** The agents that started; one refused since then has stopped (it said so). */
  agents: SimulatedAgent[];
  /** Ids of the agents refused at start: each said so once and stays stopped. */
  refused: string[];
  stop(): Promise<void>;
  /** Destroys the agent's socket without DISCONNECT so its Last Will fires. */
  kill(agentId: string): void;
}

export const DEFAULT_ORG = 'demo';
export const DEFAULT_TICK_MS = 1_000;
export const DEFAULT_NOTIFY_EVERY_MS = 3 * 60_000; // often enough to see, rare enough to read
export const MAX_AGENTS = 99; // ids are agent-01 … agent-99

export const agentId = (index: number) => `agent-${String(index).padStart(2, '0')}`;

export async function startAgentFleet(options: FleetOptions): Promise<AgentFleet> {
  const { url, count, org = DEFAULT_ORG, tickMs = DEFAULT_TICK_MS } = options;
  const log = options.logger ?? ((line: string) => console.log(line));
  const warn = options.warn ?? options.logger ?? ((line: string) => console.warn(line));
  const { reconnectPeriodMs = RECONNECT_PERIOD_MS, refusalMessage = stoppedMessage } = options;
  const random = options.random ?? Math.random;
  if (!Number.isInteger(count) || count < 1 || count > MAX_AGENTS) {
    throw new RangeError(`count must be an integer from 1 to ${MAX_AGENTS}, got ${count}`);
  }

  const agents = Array.from({ length: count }, (_, i) => {
    const id = agentId(i + 1);
    return new SimulatedAgent({
      id,
      url,
      org,
      password: options.password(id),
      tickMs,
      random,
      log,
      warn,
      refusalMessage,
      reconnectPeriodMs,
    });
  });
  const stopAgents = () => Promise.all(agents.map((agent) => agent.stop()));
  let running: SimulatedAgent[];
  let notifier: Notifier | null = null;
  try {
    // An agent refused (its password reset, its user disabled or removed) has said so and
    // stopped; the others run without it.
    const started = await Promise.allSettled(agents.map((agent) => agent.start()));
    running = agents.filter((_, i) => started[i]?.status === 'fulfilled');
    // It reports on the agents: with none running it has nothing to say.
    if (options.notifier && running.length > 0) {
      const every = options.notifyEveryMs ?? DEFAULT_NOTIFY_EVERY_MS;
      notifier = await startNotifier({
        ...options.notifier,
        url,
        org,
        every,
        agents: running,
        random,
        log,
        warn,
        refusalMessage,
        reconnectPeriodMs,
      });
    }
  } catch (error) {
    await stopAgents();
    throw error;
  }

  return {
    agents: running,
    refused: agents.filter((agent) => !running.includes(agent)).map((agent) => agent.id),
    async stop() {
      await Promise.all([stopAgents(), notifier?.stop()]);
    },
    kill(id) {
      const agent = running.find((candidate) => candidate.id === id);
      if (!agent) throw new Error(`no agent "${id}" in this fleet`);
      agent.kill();
    },
  };
}

interface Notifier {
  stop(): Promise<void>;
}

interface NotifierContext extends NotifierOptions {
  url: string;
  org: string;
  every: number;
  agents: SimulatedAgent[];
  random: Random;
  log: (line: string) => void;
  warn: (line: string) => void;
  refusalMessage: RefusalMessage;
  reconnectPeriodMs: number;
}

/**
 * A service user (not an agent: agents may publish only under agents/<self>/). Null if its
 * credentials are refused: it has said so, and the agents run without it.
 */
async function startNotifier(context: NotifierContext): Promise<Notifier | null> {
  const { url, org, every, agents, random, log, recipients } = context;
  // Accept the wire form too: the seed prints `notifier@demo`.
  const username = context.username.includes('@')
    ? context.username
    : formatUsername(context.username, org);
  const user = username.slice(0, username.indexOf('@'));
  const client = connect(url, {
    protocolVersion: 4,
    username,
    password: context.password,
    clientId: `${user}-${randomBytes(4).toString('hex')}`,
    manualConnect: true,
  });
  const connected = new Promise<boolean>((resolve) => {
    client.once('connect', () => resolve(true));
    // Waits out a busy or throttling broker, as the agents do; refused, it stops for good.
    followReconnectPolicy(client, {
      periodMs: context.reconnectPeriodMs,
      onRefused(error) {
        context.warn(context.refusalMessage(username, error));
        resolve(false);
      },
    });
  });
  client.on('error', (error) => log(`${user}: ${error.message}`));
  client.connect();
  if (!(await connected)) return null;
  const timer = setInterval(() => {
    const agent = agents[Math.floor(random() * agents.length)];
    if (!agent) return;
    const notification = report(agent);
    for (const recipient of recipients) {
      client.publish(notificationsTopic(recipient), JSON.stringify(notification), { qos: 1 });
    }
    log(`${user}: sent "${notification.title}" to ${recipients.join(', ')}`);
  }, every);
  client.once('end', () => clearInterval(timer)); // stopped, or refused for good
  return {
    async stop() {
      clearInterval(timer);
      neverReconnect(client);
      if (client.disconnected) return; // stopped for good already (refused)
      await client.endAsync(!client.connected);
    },
  };
}

function report(agent: SimulatedAgent): AppNotification {
  const { status, task, progress, detail } = agent.state;
  const body =
    status === 'working' || status === 'paused'
      ? `${status === 'paused' ? 'Paused on' : 'Working on'} ${task ?? 'a task'} (${progress ?? 0}%).`
      : status === 'error'
        ? `Failed ${task ?? 'a task'}: ${detail ?? 'unknown error'}.`
        : 'Idle, waiting for work.';
  return { id: randomUUID(), title: `Status of ${agent.id}`, body, createdAt: Date.now() };
}
