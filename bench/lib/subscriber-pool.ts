import os from 'node:os';
import { spawnRpcChild, type RpcChild } from './rpc';
import type { ClientLogin } from './targets';
import type { SubscribeArgs, SubscriberStats } from '../workers/subscriber-worker';

// Subscribers spread over one child process per core: with 2 cores, mqtt.js parsing 10⁵
// deliveries/s in the benchmark's own process would measure the client, not the broker.

export interface PoolProgress {
  received: number;
  minSeq: number;
  lastAt: number;
  outOfOrder: number;
  malformed: number;
}

export class SubscriberPool {
  private readonly latest = new Map<RpcChild, SubscriberStats>();
  private readonly listeners = new Set<(progress: PoolProgress) => void>();

  private constructor(private readonly workers: RpcChild[]) {
    for (const worker of workers) {
      worker.onEvent(({ event, data }) => {
        if (event !== 'progress') return;
        this.latest.set(worker, data as SubscriberStats);
        const progress = this.progress();
        for (const listener of this.listeners) listener(progress);
      });
    }
  }

  static async start(workers = Math.max(1, os.availableParallelism())): Promise<SubscriberPool> {
    const started = await Promise.all(
      Array.from({ length: workers }, () =>
        spawnRpcChild(new URL('../workers/subscriber-worker.ts', import.meta.url)),
      ),
    );
    return new SubscriberPool(started.map(({ child }) => child));
  }

  /** Connects and subscribes every login, dealt round-robin over the workers. */
  async subscribe(args: Omit<SubscribeArgs, 'logins'>, logins: ClientLogin[]): Promise<void> {
    await Promise.all(
      this.workers.map((worker, w) =>
        worker.call('subscribe', {
          ...args,
          logins: logins.filter((_, i) => i % this.workers.length === w),
        }),
      ),
    );
    await this.refresh();
  }

  onProgress(listener: (progress: PoolProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once every subscriber has `seq`, or rejects after `timeoutMs`. */
  async waitForSeq(seq: number, timeoutMs: number): Promise<PoolProgress> {
    return this.waitFor((p) => p.minSeq >= seq, timeoutMs, `sequence ${seq}`);
  }

  /** Resolves once `count` deliveries were counted since the last reset. */
  async waitForReceived(count: number, timeoutMs: number): Promise<PoolProgress> {
    return this.waitFor((p) => p.received >= count, timeoutMs, `${count} deliveries`);
  }

  async reset(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.call('reset')));
    await this.refresh();
  }

  async refresh(): Promise<PoolProgress> {
    const all = await Promise.all(this.workers.map((w) => w.call<SubscriberStats>('stats')));
    this.workers.forEach((worker, i) => this.latest.set(worker, all[i] as SubscriberStats));
    return this.progress();
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.call('disconnect')));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  progress(): PoolProgress {
    const all = [...this.latest.values()].filter((s) => s.clients > 0);
    return {
      received: all.reduce((sum, s) => sum + s.received, 0),
      minSeq: all.length === 0 ? -1 : Math.min(...all.map((s) => s.minSeq)),
      lastAt: Math.max(0, ...all.map((s) => s.lastAt)),
      outOfOrder: all.reduce((sum, s) => sum + s.outOfOrder, 0),
      malformed: all.reduce((sum, s) => sum + s.malformed, 0),
    };
  }

  private waitFor(
    done: (progress: PoolProgress) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<PoolProgress> {
    return new Promise((resolve, reject) => {
      const finish = (progress: PoolProgress) => {
        if (!done(progress)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(progress);
      };
      const timer = setTimeout(() => {
        unsubscribe();
        reject(
          new Error(
            `subscribers did not reach ${what} in ${timeoutMs} ms: ${JSON.stringify(this.progress())}`,
          ),
        );
      }, timeoutMs);
      const unsubscribe = this.onProgress(finish);
      finish(this.progress());
    });
  }
}
