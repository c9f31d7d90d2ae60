import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';

// A plain in-process Aedes broker and an observer client for the agent tests: no ACL,
// no mount points, any password unless the test refuses it.

export interface TestBroker {
  url: string;
  broker: Aedes;
  /** Usernames of every CONNECT seen, in order. */
  usernames: string[];
  /** Closes the connections of `username` from the broker's side (its password was reset). */
  disconnect(username: string): void;
  close(): Promise<void>;
}

/**
 * `'unavailable'`: refused with "server unavailable" (CONNACK 3), as when busy;
 * `'bad-password'`: refused with "bad user name or password" (CONNACK 4); `false`: refused
 * with "not authorized" (CONNACK 5).
 */
export type Verdict = boolean | 'unavailable' | 'bad-password';

const REFUSALS = { unavailable: 3, 'bad-password': 4 } as const;

export async function startBroker(
  accept: (username: string, password: string) => Verdict = () => true,
): Promise<TestBroker> {
  const usernames: string[] = [];
  const accepted = new Map<string, Client[]>();
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const name = username ?? '';
      usernames.push(name);
      const verdict = accept(name, password?.toString() ?? '');
      if (typeof verdict === 'string') {
        done(Object.assign(new Error(verdict), { returnCode: REFUSALS[verdict] }), false);
        return;
      }
      if (verdict) accepted.set(name, [...(accepted.get(name) ?? []), client]);
      done(null, verdict);
    },
  });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    usernames,
    disconnect(username) {
      for (const client of accepted.get(username) ?? []) client.close();
      accepted.delete(username);
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Received {
  topic: string;
  json: unknown;
  retain: boolean;
}

const WAIT_TIMEOUT_MS = 5_000;

/** A real mqtt.js client that records what it receives and can wait for a match. */
export class Observer {
  readonly received: Received[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      let json: unknown;
      try {
        json = JSON.parse(payload.toString());
      } catch {
        json = payload.toString();
      }
      this.received.push({ topic, json, retain: packet.retain });
      for (const wake of this.waiters) wake();
    });
  }

  static async connect(url: string, ...filters: string[]): Promise<Observer> {
    const client = await connectAsync(url, {
      protocolVersion: 4,
      username: 'observer@demo',
      password: 'x',
      reconnectPeriod: 0,
    });
    const observer = new Observer(client);
    if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
    return observer;
  }

  /** Index to pass as `from` to wait only for messages received after this point. */
  mark(): number {
    return this.received.length;
  }

  /** The first message from index `from` on (already received or future) that matches. */
  waitFor(match: (message: Received) => boolean, from = 0): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.slice(from).find(match);
        if (!found) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        reject(new Error(`no matching message within ${WAIT_TIMEOUT_MS} ms`));
      }, WAIT_TIMEOUT_MS);
      this.waiters.push(check);
      check();
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
