import mqtt, { type MqttClient } from 'mqtt';
import { statePayload } from './payload';
import type { SubscriberPool, PoolProgress } from './subscriber-pool';
import type { ClientLogin } from './targets';

// The publisher keeps at most `window` messages ahead of the slowest subscriber: a closed
// loop that measures the rate the broker sustains, instead of an offered rate that either
// under-loads it or piles an unbounded backlog into its buffers.

export interface PacedRun {
  topic: string;
  qos: 0 | 1;
  fromSeq: number;
  /** Messages in flight beyond the slowest subscriber. */
  window: number;
  durationMs: number;
}

export async function connectPublisher(url: string, login: ClientLogin): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    ...login,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 30_000,
  });
}

/** Publishes sequence numbers from `fromSeq` for `durationMs`; resolves with the last one. */
export function publishPaced(
  client: MqttClient,
  pool: SubscriberPool,
  run: PacedRun,
): Promise<number> {
  return new Promise((resolve) => {
    let next = run.fromSeq;
    let finished = false;
    const pump = (progress: PoolProgress) => {
      if (finished) return;
      const limit = Math.max(progress.minSeq, run.fromSeq - 1) + run.window;
      while (next <= limit) {
        client.publish(run.topic, statePayload(next), { qos: run.qos, retain: false });
        next++;
      }
    };
    const unsubscribe = pool.onProgress(pump);
    setTimeout(() => {
      finished = true;
      unsubscribe();
      resolve(next - 1);
    }, run.durationMs);
    pump(pool.progress());
  });
}
