import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchArgs, list } from './lib/args';
import { sleep } from './lib/measure';
import { rssBytes } from './lib/proc-stats';
import { saveResult } from './lib/results';
import { spawnRpcChild, type RpcChild } from './lib/rpc';
import { formatNumber, printTable } from './lib/table';
import { startTarget } from './lib/start-target';
import type { Target } from './lib/targets';
import type { OpenArgs } from './workers/idle-connector';

// Server memory per idle, authenticated WebSocket connection: members connected with a
// token as the app does, sending nothing but keepalive. Measured as the growth of the
// broker process (resident memory; for Switchboard also the JS heap after a full GC).

const args = benchArgs({ connections: '5000', targets: 'switchboard,mosquitto' });
const KEEPALIVE_S = 60;
const CONNECT_CONCURRENCY = 20; // per worker: paces logins without a thundering herd
const WARMUP_CONNECTIONS = 100; // first connections also pay for code and pools, not state
const SETTLE_MS = 2_000;
const BYTES_PER_KIB = 1_024;
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const BEFORE_SNAPSHOT = `${RESULTS}idle-before.heapsnapshot`;
const AFTER_SNAPSHOT = `${RESULTS}idle-after.heapsnapshot`;

interface Memory {
  rss: number;
  heap?: number;
}

interface Row {
  target: string;
  connections: number;
  rssPerConnectionKiB: number;
  heapPerConnectionKiB: number | null;
  baselineRssMiB: number;
  loadedRssMiB: number;
}

async function memoryOf(target: Target, snapshot: string): Promise<Memory> {
  await sleep(SETTLE_MS);
  if (args.profile && target.heapSnapshot) await target.heapSnapshot(snapshot);
  if (!target.memory) return { rss: rssBytes(target.pid) };
  const usage = await target.memory(); // after a full GC in the server
  return { rss: rssBytes(target.pid), heap: usage.heapUsed + usage.external };
}

async function openAll(workers: RpcChild[], target: Target, count: number, tag: string) {
  const logins = await target.memberLogins(count, tag);
  const opened = await Promise.all(
    workers.map((worker, w) =>
      worker.call<number>('open', {
        url: target.wsUrl,
        logins: logins.filter((_, i) => i % workers.length === w),
        concurrency: CONNECT_CONCURRENCY,
        keepaliveSeconds: KEEPALIVE_S,
      } satisfies OpenArgs),
    ),
  );
  return opened.reduce((a, b) => a + b, 0);
}

async function measure(target: Target, connections: number): Promise<Row> {
  const workers = (
    await Promise.all(
      Array.from({ length: os.availableParallelism() }, () =>
        spawnRpcChild(new URL('./workers/idle-connector.ts', import.meta.url)),
      ),
    )
  ).map(({ child }) => child);
  try {
    await openAll(workers, target, WARMUP_CONNECTIONS, 'warm-');
    await Promise.all(workers.map((w) => w.call('closeAll')));
    const before = await memoryOf(target, BEFORE_SNAPSHOT);
    const started = Date.now();
    const opened = await openAll(workers, target, connections, 'idle-');
    console.log(`${target.name}: ${opened} connections open in ${Date.now() - started} ms`);
    const after = await memoryOf(target, AFTER_SNAPSHOT);
    return {
      target: target.name,
      connections: opened,
      rssPerConnectionKiB: (after.rss - before.rss) / opened / BYTES_PER_KIB,
      heapPerConnectionKiB:
        after.heap !== undefined && before.heap !== undefined
          ? (after.heap - before.heap) / opened / BYTES_PER_KIB
          : null,
      baselineRssMiB: before.rss / BYTES_PER_KIB ** 2,
      loadedRssMiB: after.rss / BYTES_PER_KIB ** 2,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

mkdirSync(RESULTS, { recursive: true });
const rows: Row[] = [];
for (const name of list(args.targets)) {
  const target = await startTarget(name, { profile: false, experiments: '' });
  if (!target) continue;
  try {
    rows.push(await measure(target, Number(args.connections)));
  } finally {
    await target.stop();
  }
}

printTable(
  'Server memory per idle authenticated WebSocket connection',
  [
    'broker',
    'connections',
    'RSS KiB/conn',
    'JS heap+external KiB/conn',
    'RSS before MiB',
    'RSS after MiB',
  ],
  rows.map((row) => [
    row.target,
    formatNumber(row.connections),
    formatNumber(row.rssPerConnectionKiB, 1),
    formatNumber(row.heapPerConnectionKiB, 1),
    formatNumber(row.baselineRssMiB),
    formatNumber(row.loadedRssMiB),
  ]),
);
saveResult('idle-memory', rows, args);
if (args.profile) {
  console.log('\nHeap snapshots of the Switchboard server, before and after:');
  console.log(
    `  node --import tsx bench/heap-summary.ts ${BEFORE_SNAPSHOT} ${AFTER_SNAPSHOT} <connections>`,
  );
}
