import mqtt from 'mqtt';
import { mosquittoInstalled, startMosquitto } from './mosquitto';
import { spawnRpcChild } from './rpc';

// A broker under test, as the benchmarks see it: where to connect, with which logins, and
// the process to measure. Switchboard runs in a child process; Mosquitto is the reference.

export const DEMO_ORG = 'demo';
const DEMO_MEMBERS = ['alice', 'bob'] as const;
const MOSQUITTO_SEED_TIMEOUT_MS = 60_000;

export interface ServerReady {
  wsUrl: string;
  mqttUrl: string;
  password: string;
}

export interface ClientLogin {
  clientId: string;
  username?: string;
  password?: string;
}

export type TargetName = 'switchboard' | 'mosquitto' | 'plain-aedes' | 'plain-aedes-memory';

export interface Target {
  name: TargetName;
  pid: number;
  wsUrl: string;
  mqttUrl: string;
  /** Members as a browser would connect: a token each, minted by the server. */
  memberLogins(count: number, tag: string): Promise<ClientLogin[]>;
  /** An agent with its permanent password (agents publish their states). */
  agentLogin(agent: string, clientId: string): ClientLogin;
  /** `topics` as retained messages, QoS 1, all with `payload`. */
  seedRetained(topics: string[], payload: string): Promise<void>;
  /** Server-side memory after a full GC (Switchboard only). */
  memory?(): Promise<NodeJS.MemoryUsage>;
  /** Writes a V8 heap snapshot of the server to `file` (Switchboard only). */
  heapSnapshot?(file: string): Promise<string>;
  stop(): Promise<void>;
}

export interface SwitchboardOptions {
  /** Directory for a V8 CPU profile of the server process, written when it stops. */
  cpuProfDir?: string;
  /** What-if changes (bench/servers/experiments.ts) applied to the server. */
  experiments?: string[];
}

export async function startSwitchboard(options: SwitchboardOptions = {}): Promise<Target> {
  const nodeFlags = ['--expose-gc'];
  if (options.cpuProfDir) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  const { child, ready } = await spawnRpcChild<ServerReady>(
    new URL('../servers/switchboard-server.ts', import.meta.url),
    {
      nodeFlags,
      env: { SWITCHBOARD_BENCH_EXPERIMENTS: (options.experiments ?? []).join(',') },
    },
  );
  return {
    name: 'switchboard',
    pid: child.pid,
    wsUrl: ready.wsUrl,
    mqttUrl: ready.mqttUrl,
    async memberLogins(count, tag) {
      const logins: ClientLogin[] = [];
      for (const [index, user] of DEMO_MEMBERS.entries()) {
        const clientIds: string[] = [];
        for (let i = index; i < count; i += DEMO_MEMBERS.length)
          clientIds.push(`${user}-${tag}${i}`);
        const tokens = await child.call<string[]>('mint', { user, clientIds });
        clientIds.forEach((clientId, i) =>
          logins.push({ clientId, username: `${user}@${DEMO_ORG}`, password: tokens[i] }),
        );
      }
      return logins;
    },
    agentLogin: (agent, clientId) => ({
      clientId,
      username: `${agent}@${DEMO_ORG}`,
      password: ready.password,
    }),
    seedRetained: (topics, payload) => child.call('seedRetained', { topics, payload }),
    memory: () => child.call<NodeJS.MemoryUsage>('memory'),
    heapSnapshot: (file) => child.call<string>('heapSnapshot', { file }),
    stop: () => child.stop(),
  };
}

export async function startPlainAedes(
  experiments: string[] = [],
  persistence: 'level' | 'memory' = 'level',
): Promise<Target> {
  const { child, ready } = await spawnRpcChild<ServerReady>(
    new URL('../servers/plain-aedes-server.ts', import.meta.url),
    {
      env: {
        SWITCHBOARD_BENCH_EXPERIMENTS: experiments.join(','),
        PLAIN_AEDES_PERSISTENCE: persistence,
      },
    },
  );
  const name = persistence === 'memory' ? 'plain-aedes-memory' : 'plain-aedes';
  return anonymousTarget(name, child.pid, ready.wsUrl, ready.mqttUrl, () => child.stop());
}

/** Mosquitto, or null (after saying so) when it is not installed. */
export async function startMosquittoTarget(): Promise<Target | null> {
  if (!mosquittoInstalled()) {
    console.log('Mosquitto is not installed (apt-get install mosquitto): absolute figures only.');
    return null;
  }
  const broker = await startMosquitto();
  return anonymousTarget('mosquitto', broker.pid, broker.wsUrl, broker.mqttUrl, () =>
    broker.stop(),
  );
}

function anonymousTarget(
  name: TargetName,
  pid: number,
  wsUrl: string,
  mqttUrl: string,
  stop: () => Promise<void>,
): Target {
  return {
    name,
    pid,
    wsUrl,
    mqttUrl,
    memberLogins: async (count, tag) =>
      Array.from({ length: count }, (_, i) => ({ clientId: `member-${tag}${i}` })),
    agentLogin: (_, clientId) => ({ clientId }),
    async seedRetained(topics, payload) {
      const url = mqttUrl || wsUrl;
      const client = await mqtt.connectAsync(url, {
        clientId: 'bench-seed',
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const timer = setTimeout(() => client.end(true), MOSQUITTO_SEED_TIMEOUT_MS);
      await Promise.all(
        topics.map((topic) => client.publishAsync(topic, payload, { qos: 1, retain: true })),
      );
      clearTimeout(timer);
      await client.endAsync();
    },
    stop,
  };
}
