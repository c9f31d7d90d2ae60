import mqtt from 'mqtt';
import { benchArgs, list } from './lib/args';
import { costBetween, mark, now } from './lib/measure';
import { statePayload } from './lib/payload';
import { saveResult } from './lib/results';
import { formatNumber, printTable } from './lib/table';
import { startTarget } from './lib/start-target';
import type { Target } from './lib/targets';

// A dashboard opens: a new WebSocket subscriber to agents/+/state receives every agent's
// retained last-known state. Time from SUBSCRIBE to the last retained message, Switchboard
// beside Mosquitto, with the broker's CPU over the same interval.

const args = benchArgs({
  agents: '10000',
  runs: '5',
  // As the app's agents board subscribes (create-workspace-connection.ts); 1 to measure the
  // states going out at QoS 1, as they were stored.
  qos: '0',
  targets: 'switchboard,mosquitto',
  experiments: '',
});
const FILTER = 'agents/+/state';
const RECEIVE_TIMEOUT_MS = 120_000;

interface Run {
  connectMs: number;
  subscribeToLastMs: number;
  cpuMs: number;
}

interface Row {
  target: string;
  agents: number;
  runs: Run[];
  medianMs: number;
  medianCpuMs: number;
  seedSeconds: number;
}

async function receiveAll(target: Target, agents: number, tag: string): Promise<Run> {
  const [login] = await target.memberLogins(1, tag);
  const connectStart = now();
  const client = await mqtt.connectAsync(target.wsUrl, {
    ...login,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 30_000,
  });
  const connectMs = now() - connectStart;
  try {
    let retained = 0;
    const done = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`${retained} of ${agents} retained states in ${RECEIVE_TIMEOUT_MS} ms`)),
        RECEIVE_TIMEOUT_MS,
      );
      client.on('message', (_topic, _payload, packet) => {
        if (packet.retain && ++retained === agents) {
          clearTimeout(timer);
          resolve(now());
        }
      });
    });
    const start = mark(target.pid);
    client.subscribe(FILTER, { qos: Number(args.qos) === 1 ? 1 : 0 });
    const lastAt = await done;
    const cost = costBetween(start, { ...mark(target.pid), at: lastAt });
    return { connectMs, subscribeToLastMs: lastAt - start.at, cpuMs: cost.cpuMicros / 1_000 };
  } finally {
    await client.endAsync(true);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

const agents = Number(args.agents);
const topics = Array.from(
  { length: agents },
  (_, i) => `agents/a-${String(i + 1).padStart(5, '0')}/state`,
);
const rows: Row[] = [];
for (const name of list(args.targets)) {
  const target = await startTarget(name, args);
  if (!target) continue;
  try {
    const seedStart = now();
    await target.seedRetained(topics, statePayload(0).toString());
    const seedSeconds = (now() - seedStart) / 1_000;
    const runs: Run[] = [];
    for (let run = 0; run < Number(args.runs); run++) {
      runs.push(await receiveAll(target, agents, `retained${run}-`));
      console.log(
        `${target.name} run ${run + 1}: ${formatNumber(runs[run]?.subscribeToLastMs ?? null)} ms ` +
          `(broker CPU ${formatNumber(runs[run]?.cpuMs ?? null)} ms)`,
      );
    }
    rows.push({
      target: target.name,
      agents,
      runs,
      medianMs: median(runs.map((r) => r.subscribeToLastMs)),
      medianCpuMs: median(runs.map((r) => r.cpuMs)),
      seedSeconds,
    });
  } finally {
    await target.stop();
  }
}

const sb = rows.find((r) => r.target === 'switchboard');
const mq = rows.find((r) => r.target === 'mosquitto');
printTable(
  `${formatNumber(agents)} retained agent states to a new WebSocket subscriber at QoS ${args.qos} (median of ${args.runs})`,
  ['broker', 'SUBSCRIBE → last state ms', 'broker CPU ms', 'connect ms', 'vs Mosquitto'],
  rows.map((row) => [
    row.target,
    formatNumber(row.medianMs),
    formatNumber(row.medianCpuMs),
    formatNumber(median(row.runs.map((r) => r.connectMs))),
    row === sb && mq ? `${formatNumber(row.medianMs / mq.medianMs, 2)}×` : null,
  ]),
);
saveResult('retained', rows, args);
