import { setTimeout as delay } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { readSeq } from '../lib/payload';
import { emitEvent, serveRpc } from '../lib/rpc';
import type { ClientLogin } from '../lib/targets';

// Holds a share of the subscribers in its own process, so that on a small machine the
// clients' work spreads over the cores instead of queueing behind one event loop. Each
// delivery is checked (whole payload, sequence in order) and counted; progress goes to
// the coordinator, which paces the publisher by the slowest subscriber.

const CONNECT_CONCURRENCY = 25;
const PROGRESS_INTERVAL_MS = 20;
const CONNECT_TIMEOUT_MS = 30_000;
const KEEPALIVE_S = 60;
const EXIT_DELAY_MS = 50;
const UNSUBSCRIBE_TIMEOUT_MS = 5_000;

export interface SubscribeArgs {
  url: string;
  logins: ClientLogin[];
  topic: string;
  qos: 0 | 1;
  /** 'sequence': payloads from statePayload(), checked; 'count': anything, counted. */
  check: 'sequence' | 'count';
  /** Clean session (the default), or a persistent one as the browser app keeps. */
  clean?: boolean;
}

export interface SubscriberStats {
  clients: number;
  received: number;
  /** Lowest sequence number every client has reached (-1 before any). */
  minSeq: number;
  /** Deliveries whose sequence was not the previous one + 1 (a loss, repeat or reorder). */
  outOfOrder: number;
  malformed: number;
  /** performance.timeOrigin + now() of the latest delivery, ms. */
  lastAt: number;
}

interface Subscriber {
  client: MqttClient;
  lastSeq: number;
  /** A persistent session's subscription, dropped before it disconnects. */
  keeps: string | null;
}

const subscribers: Subscriber[] = [];
const stats: SubscriberStats = {
  clients: 0,
  received: 0,
  minSeq: -1,
  outOfOrder: 0,
  malformed: 0,
  lastAt: 0,
};
let check: SubscribeArgs['check'] = 'count';
let reported = '';

function onMessage(this: Subscriber, _topic: string, payload: Buffer): void {
  stats.received++;
  stats.lastAt = performance.timeOrigin + performance.now();
  if (check === 'count') return;
  const seq = readSeq(payload);
  if (seq < 0) {
    stats.malformed++;
    return;
  }
  if (this.lastSeq >= 0 && seq !== this.lastSeq + 1) stats.outOfOrder++;
  this.lastSeq = seq;
}

async function connectOne(args: SubscribeArgs, login: ClientLogin): Promise<Subscriber> {
  const client = await mqtt.connectAsync(args.url, {
    ...login,
    protocolVersion: 4,
    clean: args.clean ?? true,
    keepalive: KEEPALIVE_S,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  const subscriber: Subscriber = {
    client,
    lastSeq: -1,
    keeps: args.clean === false ? args.topic : null,
  };
  client.on('message', onMessage.bind(subscriber));
  const granted = await client.subscribeAsync(args.topic, { qos: args.qos });
  if (granted[0]?.qos !== args.qos)
    throw new Error(`subscription refused: ${JSON.stringify(granted)}`);
  return subscriber;
}

function minSeq(): number {
  let min = Infinity;
  for (const subscriber of subscribers) min = Math.min(min, subscriber.lastSeq);
  return subscribers.length === 0 ? -1 : min;
}

setInterval(() => {
  stats.minSeq = minSeq();
  const line = `${stats.received}/${stats.minSeq}`;
  if (line === reported) return;
  reported = line;
  emitEvent('progress', stats);
}, PROGRESS_INTERVAL_MS).unref();

serveRpc({
  async subscribe(args: SubscribeArgs) {
    check = args.check;
    const queue = [...args.logins];
    await Promise.all(
      Array.from({ length: CONNECT_CONCURRENCY }, async () => {
        for (let login = queue.shift(); login; login = queue.shift()) {
          subscribers.push(await connectOne(args, login));
        }
      }),
    );
    stats.clients = subscribers.length;
    return stats.clients;
  },
  stats() {
    stats.minSeq = minSeq();
    return stats;
  },
  /** Starts the delivery count from zero; order and integrity checks keep counting. */
  reset() {
    stats.received = 0;
  },
  /**
   * Persistent sessions unsubscribe first: left subscribed, they would be queued every
   * message of the next measurement (on disk for Switchboard, in memory for Mosquitto).
   */
  async disconnect() {
    await Promise.all(
      subscribers.splice(0).map(async ({ client, keeps }) => {
        try {
          // A connection dropped meanwhile would never answer (mqtt.js does not reconnect).
          if (keeps !== null && client.connected)
            await Promise.race([client.unsubscribeAsync(keeps), delay(UNSUBSCRIBE_TIMEOUT_MS)]);
        } finally {
          await client.endAsync(true);
        }
      }),
    );
    stats.clients = 0;
  },
  stop() {
    for (const subscriber of subscribers) subscriber.client.end(true);
    setTimeout(() => process.exit(0), EXIT_DELAY_MS);
  },
});

emitEvent('ready', { pid: process.pid });
