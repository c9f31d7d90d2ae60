import type { MqttClient } from 'mqtt';
import { benchArgs, list } from './lib/args';
import { costBetween, mark, sleep } from './lib/measure';
import { connectPublisher } from './lib/paced-publisher';
import { saveResult } from './lib/results';
import { SubscriberPool } from './lib/subscriber-pool';
import { formatNumber, printTable } from './lib/table';
import { startTarget } from './lib/start-target';
import type { Target } from './lib/targets';

// Server cost of a routed chat message: the same load (one member publishing to a room at
// a fixed rate, a few members receiving) through the real server, where each message is
// authorized, mounted, sender-checked and written to history, and through the same Aedes
// and WebSocket transport with none of that ("plain routing").

const args = benchArgs({
  rate: '1000', // messages/s
  seconds: '5',
  subscribers: '10',
  targets: 'switchboard,plain-aedes,mosquitto',
  experiments: '',
});
const TOPIC = 'chat/general/messages';
const TICK_MS = 10; // the fixed rate is published in small bursts this often
const WARMUP_SECONDS = 1;
const DRAIN_TIMEOUT_MS = 60_000;

interface Row {
  target: string;
  messages: number;
  deliveries: number;
  cpuMicrosPerMessage: number;
  cpuPercent: number;
}

/** Publishes `rate` messages/s for `seconds`; resolves with how many. */
async function publishAtRate(publisher: MqttClient, seconds: number, tag: string): Promise<number> {
  const rate = Number(args.rate);
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1_000));
    for (; sent < due; sent++) {
      const message = {
        id: `${tag}-${sent}`,
        from: 'alice',
        text: `message ${sent}`,
        sentAt: Date.now(),
      };
      publisher.publish(TOPIC, JSON.stringify(message), { qos: 1 });
    }
    await sleep(TICK_MS);
  }
  return total;
}

async function measure(target: Target, pool: SubscriberPool): Promise<Row> {
  const subscribers = Number(args.subscribers);
  const [publisherLogin, ...logins] = await target.memberLogins(subscribers + 1, 'chat-');
  if (!publisherLogin) throw new Error('no login for the publisher');
  // alice-chat-0 publishes: the sender check wants `from` to be the publisher's user.
  const publisher = await connectPublisher(target.wsUrl, publisherLogin);
  try {
    await pool.subscribe({ url: target.wsUrl, topic: TOPIC, qos: 1, check: 'count' }, logins);
    const warm = await publishAtRate(publisher, WARMUP_SECONDS, 'warm');
    await pool.waitForReceived(warm * subscribers, DRAIN_TIMEOUT_MS);
    await pool.reset();

    const start = mark(target.pid);
    const messages = await publishAtRate(publisher, Number(args.seconds), 'run');
    const progress = await pool.waitForReceived(messages * subscribers, DRAIN_TIMEOUT_MS);
    const cost = costBetween(start, mark(target.pid));
    const row: Row = {
      target: target.name,
      messages,
      deliveries: progress.received,
      cpuMicrosPerMessage: cost.cpuMicros / messages,
      cpuPercent: cost.cpuPercent,
    };
    console.log(
      `${target.name}: ${formatNumber(row.cpuMicrosPerMessage)} µs CPU per message ` +
        `(${formatNumber(row.cpuPercent)}% of a core at ${args.rate} msg/s, ${subscribers} subscribers)`,
    );
    return row;
  } finally {
    await pool.disconnect();
    await publisher.endAsync(true);
  }
}

const pool = await SubscriberPool.start();
const rows: Row[] = [];
try {
  for (const name of list(args.targets)) {
    const target = await startTarget(name, args);
    if (!target) continue;
    try {
      rows.push(await measure(target, pool));
    } finally {
      await target.stop();
    }
  }
} finally {
  await pool.stop();
}

const plain = rows.find((r) => r.target === 'plain-aedes');
printTable(
  `Server CPU per chat message at ${args.rate} msg/s to ${args.subscribers} subscribers (QoS 1, WebSocket)`,
  ['broker', 'µs CPU/message', 'CPU %', 'vs plain routing'],
  rows.map((row) => [
    row.target,
    formatNumber(row.cpuMicrosPerMessage),
    formatNumber(row.cpuPercent),
    plain ? `${formatNumber(row.cpuMicrosPerMessage / plain.cpuMicrosPerMessage, 2)}×` : null,
  ]),
);
saveResult('chat-cost', rows, args);
