import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Level } from 'level';
import { clearStoredQueue, storedClientIds } from './stored-sessions';

// aedes 1.x needs an async persistence; aedes-persistence-level's default export is the
// callback wrapper for aedes 0.x, its async class is this file.
const require = createRequire(import.meta.url);
const AsyncLevelPersistence = require('aedes-persistence-level/asyncPersistence.js') as new (
  db: Level<string, unknown>,
) => AedesPersistence;

export interface StoredSubscription {
  topic: string;
  qos: number;
}

export interface StoredPacket {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
}

/** The part of the aedes persistence API (aedes-persistence) the admin console reads. */
interface AedesPersistence {
  destroy(): Promise<void>;
  /** Retained messages whose (mounted) topic matches `pattern`, as StoredPackets. */
  createRetainedStream(pattern: string): Readable;
  subscriptionsByClient(client: { id: string }): Promise<StoredSubscription[]>;
  removeSubscriptions(client: { id: string }, topics: string[]): Promise<void>;
  cleanSubscriptions(client: { id: string }): Promise<void>;
  /** A persistent session's queued (and in-flight) QoS 1/2 messages. */
  outgoingStream(client: { id: string }): Readable;
  outgoingClearMessageId(client: { clean?: boolean }, packet: unknown): Promise<unknown>;
}

export interface BrokerPersistence extends AedesPersistence {
  /** Switchboard's own: the (mounted) client ids that have a stored session. */
  storedClientIds(): Promise<Set<string>>;
  /** Switchboard's own: drops a stored session's queued messages. */
  clearQueue(clientId: string): Promise<void>;
}

/** Retained messages, sessions, subscriptions, offline queues and wills, on disk. */
export function openBrokerPersistence(dataDir: string): BrokerPersistence {
  const dir = path.join(dataDir, 'broker');
  mkdirSync(dir, { recursive: true });
  const db = new Level<string, unknown>(dir);
  const persistence = new AsyncLevelPersistence(db);
  // aedes looks every PUBACK up on disk to clear the stored outgoing packet, but a clean
  // session never stores one (its QoS 1 deliveries skip outgoingUpdate), so for clean
  // sessions the lookup always misses. It was 39% of broker time in QoS 1 fan-out
  // (docs/benchmarks.md).
  const clearMessageId = persistence.outgoingClearMessageId.bind(persistence);
  persistence.outgoingClearMessageId = (client, packet) =>
    client.clean ? Promise.resolve(undefined) : clearMessageId(client, packet);
  return Object.assign(persistence, {
    storedClientIds: () => storedClientIds(db),
    clearQueue: (clientId: string) => clearStoredQueue(db, clientId),
  });
}
