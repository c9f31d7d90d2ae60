import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mqtt from 'mqtt';
import type { LoadWatch } from './load-watch';
import { mosquittoInstalled, startMosquitto } from './mosquitto';
import { spawnRpcChild } from './rpc';

// A broker under test, as the benchmarks see it: where to connect, with which logins, and
// the process to measure. Switchboard runs in a child process; Mosquitto is the reference.

export const DEMO_ORG = 'demo';
const DEMO_MEMBERS = ['alice', 'bob'] as const;
const MOSQUITTO_SEED_TIMEOUT_MS = 60_000;
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node flags as `npm start` runs the server (package.json): mqtt-packet's debug stubbed. */
function serverFlags(root: string): string[] {
  const preload = `${root}src/server/quiet-debug.cjs`;
  return existsSync(preload) ? ['--require', preload] : []; // older trees have none
}

export interface ServerReady {
  wsUrl: string;
  mqttUrl: string;
  password: string;
}

/** The real server also serves the app. */
export interface AppServerReady extends ServerReady {
  httpUrl: string;
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
  /** Run the server of this tree (bench/lib/browser.ts' prepareApp); default this one. */
  root?: string;
  /** More Node flags for the server process (V8 tuning to try, say). */
  nodeFlags?: string[];
}

/** The real server in its own process, with what the browser benchmarks drive it by. */
export interface SwitchboardTarget extends Target {
  httpUrl: string;
  /** Broker credentials for `user`, one token per client id, as POST /api/token mints. */
  mint(user: string, clientIds: string[]): Promise<string[]>;
  /** Agents (users with the agent role) that can sign in with a token or the password. */
  addAgents(names: string[]): Promise<void>;
  startWatch(options: { stamps: boolean; allocations?: boolean }): Promise<void>;
  stopWatch(): Promise<LoadWatch | null>;
  /** Retained messages straight into the broker, each `[topic, payload]` as its agent's. */
  publishRetained(messages: [string, string][]): Promise<void>;
  /** Notes when the broker last hands a frame to a WebSocket, until `lastSend()`. */
  watchLastSend(): Promise<void>;
  /** When the broker last handed a frame to a WebSocket (ms since the epoch), or null. */
  lastSend(): Promise<number | null>;
}

export async function startSwitchboard(
  options: SwitchboardOptions = {},
): Promise<SwitchboardTarget> {
  const nodeFlags = [
    '--expose-gc',
    ...serverFlags(options.root ?? REPO_ROOT),
    ...(options.nodeFlags ?? []),
  ];
  if (options.cpuProfDir) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  const entry = options.root
    ? new URL('bench/servers/switchboard-server.ts', pathToFileURL(options.root))
    : new URL('../servers/switchboard-server.ts', import.meta.url);
  const { child, ready } = await spawnRpcChild<AppServerReady>(entry, {
    nodeFlags,
    env: { SWITCHBOARD_BENCH_EXPERIMENTS: (options.experiments ?? []).join(',') },
  });
  const mint = (user: string, clientIds: string[]) =>
    child.call<string[]>('mint', { user, clientIds });
  return {
    name: 'switchboard',
    pid: child.pid,
    httpUrl: ready.httpUrl,
    wsUrl: ready.wsUrl,
    mqttUrl: ready.mqttUrl,
    mint,
    async memberLogins(count, tag) {
      const logins: ClientLogin[] = [];
      for (const [index, user] of DEMO_MEMBERS.entries()) {
        const clientIds: string[] = [];
        for (let i = index; i < count; i += DEMO_MEMBERS.length)
          clientIds.push(`${user}-${tag}${i}`);
        const tokens = await mint(user, clientIds);
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
    addAgents: (names) => child.call('addAgents', { names }),
    startWatch: (watch) => child.call('startWatch', watch),
    stopWatch: () => child.call<LoadWatch | null>('stopWatch'),
    seedRetained: (topics, payload) => child.call('seedRetained', { topics, payload }),
    publishRetained: (messages) => child.call('publishRetained', { messages }),
    watchLastSend: () => child.call('watchLastSend'),
    lastSend: () => child.call<number | null>('lastSend'),
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
      nodeFlags: serverFlags(REPO_ROOT), // routing as cheap as in the server it is set against
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
