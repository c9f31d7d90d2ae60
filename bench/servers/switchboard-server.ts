import { writeHeapSnapshot } from 'node:v8';
import type { PublishPacket } from 'aedes';
import { hashPassword } from '../../src/server/auth/password';
import { mountTopic } from '../../src/server/broker/mount-point';
import { DEMO_PASSWORD, startTestServer } from '../../test/server/support/test-server';
import { emitEvent, serveRpc } from '../lib/rpc';
import { startLoadWatch, type LoadWatch } from '../lib/load-watch';
import type { SamplingSummary } from '../lib/sampling-summary';
import { startServerAllocations } from '../lib/server-allocations';
import { watchServerSends } from '../lib/server-sends';
import { applyExperiments } from './experiments';
import { DEMO_ORG, type AppServerReady } from '../lib/targets';

// The real server (HTTP API, embedded broker with every hook, WebSocket and TCP transports)
// with the demo org, in its own process so its CPU and memory are measured alone.

const EXIT_DELAY_MS = 50; // lets the reply to `stop` leave before the process ends

const server = await startTestServer();
applyExperiments(
  server.broker.aedes,
  (process.env.SWITCHBOARD_BENCH_EXPERIMENTS ?? '').split(',').filter(Boolean),
);

serveRpc({
  /** Broker credentials as POST /api/token would hand them to a browser. */
  async mint({ user, clientIds }: { user: string; clientIds: string[] }) {
    return Promise.all(
      clientIds.map(async (clientId) => {
        const { token } = await server.tokens.mint({ org: DEMO_ORG, user, clientId, acl: [] });
        return token;
      }),
    );
  },
  /** Retained messages straight into the broker, as if each agent had published its state. */
  async seedRetained({ topics, payload }: { topics: string[]; payload: string }) {
    const body = Buffer.from(payload);
    await Promise.all(topics.map((topic) => publishRetained(topic, body)));
  },
  /** The same, each message with its own payload: `[topic, payload]` pairs. */
  async publishRetained({ messages }: { messages: [string, string][] }) {
    await Promise.all(
      messages.map(([topic, payload]) => publishRetained(topic, Buffer.from(payload))),
    );
  },
  /** Agents with the demo password, beyond the seeded ones (one hash for all of them). */
  async addAgents({ names }: { names: string[] }) {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    for (const user of names) {
      server.storage.users.addUser({ org: DEMO_ORG, user, role: 'agent', passwordHash });
    }
  },
  /** Starts watching a load (bench/lib/load-watch.ts), and sampling allocations if asked. */
  async startWatch({ stamps, allocations }: { stamps: boolean; allocations?: boolean }) {
    watch?.stop();
    await stopAllocations?.();
    stopAllocations = allocations ? await startServerAllocations() : null;
    watch = startLoadWatch(server.broker.aedes, stamps);
  },
  async stopWatch(): Promise<LoadWatch | null> {
    const result = watch?.stop() ?? null;
    watch = null;
    const allocations = await stopAllocations?.();
    stopAllocations = null;
    return result && allocations ? { ...result, allocations } : result;
  },
  /** Notes when the broker last hands a frame to a WebSocket, until `lastSend`. */
  watchLastSend() {
    unwatchSends?.();
    lastSentAt = null;
    unwatchSends = watchServerSends((at) => (lastSentAt = at));
  },
  /** When the broker last handed a frame to a WebSocket (ms since the epoch), or null. */
  lastSend(): number | null {
    unwatchSends?.();
    unwatchSends = null;
    return lastSentAt;
  },
  memory() {
    collectGarbage();
    return process.memoryUsage();
  },
  connections: () => server.broker.connections().length,
  /** A V8 heap snapshot for bench/heap-summary.ts; returns its path. */
  heapSnapshot({ file }: { file: string }) {
    collectGarbage();
    return writeHeapSnapshot(file);
  },
  async stop() {
    await server.cleanup();
    setTimeout(() => process.exit(0), EXIT_DELAY_MS);
  },
});

emitEvent('ready', {
  httpUrl: server.httpUrl,
  wsUrl: server.wsUrl,
  mqttUrl: server.mqttUrl,
  password: DEMO_PASSWORD,
} satisfies AppServerReady);

let watch: { stop(): LoadWatch } | null = null;
let stopAllocations: (() => Promise<SamplingSummary>) | null = null;
let unwatchSends: (() => void) | null = null;
let lastSentAt: number | null = null;

function publishRetained(topic: string, payload: Buffer): Promise<void> {
  const packet = {
    cmd: 'publish',
    topic: mountTopic(DEMO_ORG, topic),
    payload,
    qos: 1,
    retain: true,
    dup: false,
  } as PublishPacket;
  return new Promise((resolve, reject) =>
    server.broker.aedes.publish(packet, (error) => (error ? reject(error) : resolve())),
  );
}

/** Full collections until the heap stops shrinking (needs --expose-gc). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 3; i++) gc();
}
