import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Level } from 'level';
import { dropStrayFiltersOnce } from './granted-subscriptions';
import { levelJournal, requeueJournaled } from './inflight-journal';
import {
  DONE_IN_MEMORY,
  OUTGOING_JOURNAL_AFTER_MS,
  OutgoingCache,
  type OutgoingPacket,
  type OutgoingStore,
} from './outgoing-cache';
import { deleteOnlyOwnWills } from './own-wills';
import { RetainedIndex, type RetainablePacket } from './retained-index';
import {
  clearStoredQueue,
  dropUnsentMessage,
  forgetSeen,
  hasStoredSession,
  lastSeen,
  lastSwept,
  markSeen,
  markSwept,
  seenClientIds,
  seenSessions,
  storedClientIds,
} from './stored-sessions';
import { SeenIndex, type SeenSession } from './seen-index';

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
  setup(broker: unknown): Promise<void>;
  destroy(): Promise<void>;
  storeRetained(packet: RetainablePacket): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): Readable;
  /** Retained messages whose (mounted) topic matches `pattern`, as StoredPackets. */
  createRetainedStream(pattern: string): Readable;
  subscriptionsByClient(client: { id: string }): Promise<StoredSubscription[]>;
  addSubscriptions(client: { id: string }, subscriptions: StoredSubscription[]): Promise<void>;
  removeSubscriptions(client: { id: string }, topics: string[]): Promise<void>;
  cleanSubscriptions(client: { id: string }): Promise<void>;
  /** A persistent session's queued (and in-flight) QoS 1/2 messages. */
  outgoingStream(client: { id: string }): Readable;
  outgoingClearMessageId(
    client: { id: string; clean?: boolean },
    packet: unknown,
  ): Promise<unknown>;
  outgoingEnqueueCombi(subscriptions: unknown[], packet: unknown): Promise<unknown>;
  outgoingEnqueue(sub: { clientId: string }, packet: unknown): Promise<unknown>;
  outgoingUpdate(client: { id: string }, packet: unknown): Promise<unknown>;
  cleanIncoming(client: { id: string }): Promise<void>;
  /** A received QoS 2 publish, kept until its PUBREL (history records it here). */
  incomingStorePacket(client: { id: string }, packet: object): Promise<void>;
  delWill(client: { id: string; brokerId?: string }): Promise<unknown>;
  putWill(client: { id: string }, packet: object): Promise<void>;
  getWill(client: { id: string }): Promise<{ brokerId?: string } | undefined>;
}

export interface BrokerPersistence extends AedesPersistence {
  /** Switchboard's own: the retained messages, served from memory (retained-index.ts). */
  readonly retained: RetainedIndex;
  /** Switchboard's own: QoS 1 messages in flight to connected persistent sessions. */
  readonly outgoing: OutgoingCache;
  /** Switchboard's own: the (mounted) client ids that have a stored session. */
  storedClientIds(): Promise<Set<string>>;
  /** Switchboard's own: notes that these (mounted) client ids were connected at `at`. */
  markSeen(clientIds: string[], at: number): Promise<void>;
  /** Switchboard's own: when a client was last connected, if noted. */
  lastSeen(clientId: string): Promise<number | undefined>;
  forgetSeen(clientId: string): Promise<void>;
  /** Switchboard's own: the client ids with a last-seen time. */
  seenClientIds(): Promise<string[]>;
  /**
   * Switchboard's own: the user's (mounted) client ids with a last-seen time, and that time,
   * from memory (seen-index.ts).
   */
  seenSessionsOf(org: string, user: string): SeenSession[];
  /** Switchboard's own: whether the (mounted) client id has a stored session. */
  hasStoredSession(clientId: string): Promise<boolean>;
  /** Switchboard's own: when session expiry last swept, if ever. */
  lastSwept(): Promise<number | undefined>;
  markSwept(at: number): Promise<void>;
  /**
   * Switchboard's own: what a clean-session CONNECT would drop of a stored session (its
   * subscriptions, queued and half-received messages, will), and when it was last seen.
   */
  forgetSession(clientId: string): Promise<void>;
}

/**
 * Retained messages, sessions, subscriptions, offline queues and wills, on disk (LevelDB),
 * with retained messages and QoS 1 messages in flight to connected sessions served from
 * memory in front of it.
 */
export function openBrokerPersistence(
  dataDir: string,
  onWriteError: (error: unknown, what: string) => void,
): BrokerPersistence {
  const dir = path.join(dataDir, 'broker');
  mkdirSync(dir, { recursive: true });
  const db = new Level<string, unknown>(dir);
  const persistence = new AsyncLevelPersistence(db);
  const retained = serveRetainedFromMemory(persistence, onWriteError);
  const outgoing = holdInFlightInMemory(persistence, db, onWriteError);
  writeQueuesInOrder(persistence);
  const seen = new SeenIndex();
  const setup = persistence.setup.bind(persistence);
  persistence.setup = async (broker) => {
    // Before anything reads the subscriptions. A failure is reported, and the sweep tried
    // again at the next start.
    await dropStrayFiltersOnce(db).catch((error: unknown) =>
      onWriteError(error, '(stray filters)'),
    );
    // Before any CONNECT: the cap reads it at each of people's.
    for await (const { clientId, seenAt } of seenSessions(db)) seen.note(clientId, seenAt);
    await setup(broker);
  };
  // aedes looks every PUBACK up on disk to clear the stored outgoing packet, but a clean
  // session never stores one (its QoS 1 deliveries skip outgoingUpdate), so for clean
  // sessions the lookup always misses. It was 39% of broker time in QoS 1 fan-out
  // (docs/benchmarks.md).
  const clearMessageId = persistence.outgoingClearMessageId.bind(persistence);
  persistence.outgoingClearMessageId = (client, packet) =>
    client.clean ? Promise.resolve(undefined) : clearMessageId(client, packet);
  // aedes-persistence-level deletes whatever will an id holds, a newer connection's too.
  deleteOnlyOwnWills(persistence);
  return Object.assign(persistence, {
    retained,
    outgoing,
    storedClientIds: () => storedClientIds(db),
    // The index changes as each write is asked for, in the order they are.
    markSeen: (clientIds: string[], at: number) => {
      for (const clientId of clientIds) seen.note(clientId, at);
      return markSeen(db, clientIds, at);
    },
    lastSeen: (clientId: string) => lastSeen(db, clientId),
    forgetSeen: (clientId: string) => {
      seen.forget(clientId);
      return forgetSeen(db, clientId);
    },
    seenClientIds: () => seenClientIds(db),
    seenSessionsOf: (org: string, user: string) => seen.of(org, user),
    hasStoredSession: (clientId: string) => hasStoredSession(db, clientId),
    lastSwept: () => lastSwept(db),
    markSwept: (at: number) => markSwept(db, at),
    forgetSession: async (clientId: string) => {
      await persistence.cleanSubscriptions({ id: clientId });
      await outgoing.flushClient(clientId);
      await clearStoredQueue(db, clientId);
      await persistence.cleanIncoming({ id: clientId });
      await persistence.delWill({ id: clientId });
      seen.forget(clientId);
      await forgetSeen(db, clientId);
    },
  });
}

/** Retained messages come from a RetainedIndex; the level store is its disk. */
function serveRetainedFromMemory(
  persistence: AedesPersistence,
  onWriteError: (error: unknown, topic: string) => void,
): RetainedIndex {
  const disk = {
    setup: persistence.setup.bind(persistence),
    storeRetained: persistence.storeRetained.bind(persistence),
    createRetainedStream: persistence.createRetainedStream.bind(persistence),
    destroy: persistence.destroy.bind(persistence),
  };
  const index = new RetainedIndex(disk.storeRetained, onWriteError);
  persistence.setup = async (broker) => {
    await disk.setup(broker);
    // Every stored topic is mounted (`$<org>/…`), so `#` here means all of them.
    await index.load(disk.createRetainedStream('#'));
  };
  persistence.storeRetained = (packet) => {
    index.store(packet);
    return Promise.resolve();
  };
  // A SUBSCRIBE's retained messages are sent by retained-delivery.ts, several at a time;
  // aedes' own stream, one message at a time, gets nothing.
  persistence.createRetainedStreamCombi = () => Readable.from([]);
  persistence.createRetainedStream = (pattern) =>
    Readable.from([...index.match(pattern)].sort(byTopic));
  persistence.destroy = async () => {
    await index.flush();
    await disk.destroy();
  };
  return index;
}

function byTopic(a: { topic: string }, b: { topic: string }): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0;
}

/** Outgoing QoS 1 messages to connected persistent sessions go through an OutgoingCache. */
function holdInFlightInMemory(
  persistence: AedesPersistence,
  db: Level<string, unknown>,
  onWriteError: (error: unknown, clientId: string) => void,
): OutgoingCache {
  const disk: OutgoingStore = {
    outgoingEnqueue: persistence.outgoingEnqueue.bind(persistence),
    outgoingUpdate: persistence.outgoingUpdate.bind(persistence),
    outgoingClearMessageId: persistence.outgoingClearMessageId.bind(persistence),
    outgoingStream: persistence.outgoingStream.bind(persistence),
    dropUnsent: (clientId, packet) =>
      dropUnsentMessage(db, clientId, packet.brokerId!, packet.brokerCounter!),
  };
  let clients: Record<string, { closed?: boolean } | undefined> = {};
  const cache = new OutgoingCache(
    disk,
    levelJournal(db),
    (clientId) => clients[clientId]?.closed === false,
    onWriteError,
  );
  const setup = persistence.setup.bind(persistence);
  persistence.setup = async (broker) => {
    clients = (broker as { clients: typeof clients }).clients;
    await setup(broker);
    // After a crash: what connected clients held unacknowledged goes back into their queues.
    await requeueJournaled(
      db,
      (clientId, packet) => disk.outgoingEnqueue({ clientId }, packet as OutgoingPacket),
      onWriteError,
    );
  };
  persistence.outgoingEnqueue = (sub, packet) =>
    cache.outgoingEnqueue(sub, packet as OutgoingPacket);
  persistence.outgoingEnqueueCombi = (subs, packet) =>
    cache.outgoingEnqueueCombi(subs as { clientId: string }[], packet as OutgoingPacket);
  persistence.outgoingUpdate = (client, packet) =>
    cache.outgoingUpdate(client, packet as OutgoingPacket);
  persistence.outgoingClearMessageId = (client, packet) =>
    cache.outgoingClearMessageId(client, packet as OutgoingPacket);
  persistence.outgoingStream = (client) => cache.outgoingStream(client);
  const timer = setInterval(() => void cache.flushAged(), OUTGOING_JOURNAL_AFTER_MS / 2);
  timer.unref();
  const destroy = persistence.destroy.bind(persistence);
  persistence.destroy = async () => {
    clearInterval(timer);
    await cache.flushAll();
    await destroy();
  };
  return cache;
}

/**
 * aedes waits on the disk twice on a QoS 1 message's way to a persistent subscriber:
 * before emitting it (the offline queues) and before writing it to each client (its
 * message id). Those writes run at once but complete in any order, which reordered a
 * publisher's messages; here each resolves only after the ones before it (all of them,
 * or the same client's).
 */
function writeQueuesInOrder(persistence: AedesPersistence): void {
  const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
  const inOrder = resolvingInOrder();
  persistence.outgoingEnqueueCombi = (subscriptions, packet) =>
    inOrder(persistence, enqueue(subscriptions, packet));
  const update = persistence.outgoingUpdate.bind(persistence);
  const inClientOrder = resolvingInOrder();
  persistence.outgoingUpdate = (client, packet) => inClientOrder(client, update(client, packet));
}

/**
 * For each key, promises settle in the order they were handed in. Work the outgoing cache
 * did in memory (DONE_IN_MEMORY, settled already) is handed back as it is when nothing
 * before it under the same key is still pending: no chain per delivery.
 */
function resolvingInOrder() {
  const pending = new WeakMap<object, { last: Promise<unknown>; count: number }>();
  return <T>(key: object, work: Promise<T>): Promise<T> => {
    const earlier = pending.get(key);
    if (!earlier && work === DONE_IN_MEMORY) return work;
    const settled = earlier ? earlier.last.then(() => work) : work;
    const state = earlier ?? { last: settled, count: 0 };
    const release = () => {
      state.count -= 1;
      if (state.count === 0 && pending.get(key) === state) pending.delete(key);
    };
    state.count += 1;
    // Released before the caller's own callbacks on `settled` run (registered first).
    state.last = settled.then(release, release);
    pending.set(key, state);
    return settled;
  };
}
