import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { benchArgs, list, numbers } from './lib/args';
import { costBetween, mark } from './lib/measure';
import { connectPublisher, publishPaced } from './lib/paced-publisher';
import { saveResult } from './lib/results';
import { SubscriberPool } from './lib/subscriber-pool';
import { formatNumber, printTable } from './lib/table';
import { PROFILE_DIR, startTarget } from './lib/start-target';
import type { Target } from './lib/targets';

// Fan-out: one agent publishes its state, N WebSocket subscribers receive every message.
// Reports deliveries/s and the broker's CPU per delivery, Switchboard beside Mosquitto.

const args = benchArgs({
  subscribers: '200,1000',
  qos: '0,1',
  seconds: '5',
  targets: 'switchboard,mosquitto',
  experiments: '',
  // 'persistent': subscribers keep a session (clean session false), as the browser app does.
  sessions: 'clean',
});
const TOPIC = 'agents/agent-01/state';
const WINDOW_DELIVERIES = 50_000; // backlog the publisher may build, over all subscribers
const MIN_WINDOW_MESSAGES = 20;
const WARMUP_MS = 1_000;
const DRAIN_TIMEOUT_MS = 60_000;

interface Row {
  target: string;
  subscribers: number;
  qos: 0 | 1;
  messages: number;
  deliveries: number;
  expected: number;
  seconds: number;
  deliveriesPerSecond: number;
  cpuMicrosPerDelivery: number;
  cpuPercent: number;
  outOfOrder: number;
  malformed: number;
}

async function measure(
  target: Target,
  pool: SubscriberPool,
  publisher: MqttClient,
  subscribers: number,
  qos: 0 | 1,
  fromSeq: number,
): Promise<{ row: Row; nextSeq: number }> {
  const window = Math.max(MIN_WINDOW_MESSAGES, Math.floor(WINDOW_DELIVERIES / subscribers));
  const warmedTo = await publishPaced(publisher, pool, {
    topic: TOPIC,
    qos,
    fromSeq,
    window,
    durationMs: WARMUP_MS,
  });
  await pool.waitForSeq(warmedTo, DRAIN_TIMEOUT_MS);
  await pool.reset();

  const start = mark(target.pid);
  const first = warmedTo + 1;
  const last = await publishPaced(publisher, pool, {
    topic: TOPIC,
    qos,
    fromSeq: first,
    window,
    durationMs: Number(args.seconds) * 1_000,
  });
  const messages = last - first + 1;
  const progress = await pool.waitForSeq(last, DRAIN_TIMEOUT_MS);
  const end = { ...mark(target.pid), at: progress.lastAt };
  const cost = costBetween(start, end);
  const row: Row = {
    target: target.name,
    subscribers,
    qos,
    messages,
    deliveries: progress.received,
    expected: messages * subscribers,
    seconds: cost.seconds,
    deliveriesPerSecond: progress.received / cost.seconds,
    cpuMicrosPerDelivery: cost.cpuMicros / progress.received,
    cpuPercent: cost.cpuPercent,
    outOfOrder: progress.outOfOrder,
    malformed: progress.malformed,
  };
  console.log(
    `${target.name} 1→${subscribers} QoS ${qos}: ${formatNumber(row.deliveriesPerSecond)} deliveries/s, ` +
      `${formatNumber(row.cpuMicrosPerDelivery, 1)} µs CPU/delivery, ${formatNumber(row.cpuPercent)}% CPU` +
      (row.deliveries !== row.expected ? `, ${row.expected - row.deliveries} missing` : '') +
      (row.outOfOrder + row.malformed > 0
        ? `, ${row.outOfOrder} out of order, ${row.malformed} malformed`
        : ''),
  );
  return { row, nextSeq: last + 1 };
}

async function runTarget(
  target: Target,
  pool: SubscriberPool,
  counts: number[],
  qosList: (0 | 1)[],
) {
  const rows: Row[] = [];
  const publisher = await connectPublisher(
    target.wsUrl,
    target.agentLogin('agent-01', 'agent-01-bench'),
  );
  try {
    for (const subscribers of counts) {
      const logins = await target.memberLogins(subscribers, `fan${subscribers}-`);
      // Subscribed at QoS 1: each message is then delivered at the QoS it was published with.
      await pool.subscribe(
        {
          url: target.wsUrl,
          topic: TOPIC,
          qos: 1,
          check: 'sequence',
          clean: args.sessions !== 'persistent',
        },
        logins,
      );
      let seq = 0;
      for (const qos of qosList) {
        const { row, nextSeq } = await measure(target, pool, publisher, subscribers, qos, seq);
        rows.push(row);
        seq = nextSeq;
      }
      await pool.disconnect();
    }
  } finally {
    await publisher.endAsync(true);
  }
  return rows;
}

const counts = numbers(args.subscribers);
const qosList = numbers(args.qos) as (0 | 1)[];
const pool = await SubscriberPool.start();
const rows: Row[] = [];
try {
  for (const name of list(args.targets)) {
    const target = await startTarget(name, args);
    if (!target) continue;
    try {
      rows.push(...(await runTarget(target, pool, counts, qosList)));
    } finally {
      await target.stop();
    }
  }
} finally {
  await pool.stop();
}

const find = (target: string, n: number, qos: number) =>
  rows.find((r) => r.target === target && r.subscribers === n && r.qos === qos);
printTable(
  'Fan-out over WebSocket: deliveries/s (higher is better), broker CPU µs per delivery (lower is better)',
  [
    'fan-out',
    'QoS',
    'Switchboard/s',
    'Mosquitto/s',
    'ratio',
    'SB µs',
    'Mosq µs',
    'SB CPU %',
    'intact',
  ],
  counts.flatMap((n) =>
    qosList.map((qos) => {
      const sb = find('switchboard', n, qos);
      const mq = find('mosquitto', n, qos);
      const ok = [sb, mq].every(
        (r) => !r || (r.deliveries === r.expected && r.outOfOrder + r.malformed === 0),
      );
      return [
        `1→${n}`,
        qos,
        formatNumber(sb?.deliveriesPerSecond ?? null),
        formatNumber(mq?.deliveriesPerSecond ?? null),
        sb && mq ? formatNumber(sb.deliveriesPerSecond / mq.deliveriesPerSecond, 2) + '×' : null,
        formatNumber(sb?.cpuMicrosPerDelivery ?? null, 1),
        formatNumber(mq?.cpuMicrosPerDelivery ?? null, 1),
        formatNumber(sb?.cpuPercent ?? null),
        ok ? 'yes' : 'NO',
      ];
    }),
  ),
);
if (args.profile)
  console.log(
    `\nCPU profile of the Switchboard server: ${path.relative(process.cwd(), PROFILE_DIR)}`,
  );
saveResult('fan-out', rows, args);
