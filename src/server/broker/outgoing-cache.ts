import { Readable } from 'node:stream';

// How long a QoS 1 message to a connected persistent session may wait for its PUBACK in
// memory before it is written to disk like any queued message. Most are acknowledged
// within milliseconds and never reach the disk at all.
export const OUTGOING_FLUSH_AFTER_MS = 1_000;

const RESOLVED = Promise.resolve();

interface OutgoingPacket {
  cmd?: string;
  qos: number;
  brokerId?: string | null;
  brokerCounter?: number;
  messageId?: number;
}

interface Client {
  id: string;
}

/** The outgoing-queue part of aedes' persistence API, as the disk implements it. */
export interface OutgoingStore {
  outgoingEnqueue(sub: { clientId: string }, packet: OutgoingPacket): Promise<unknown>;
  outgoingUpdate(client: Client, packet: OutgoingPacket): Promise<unknown>;
  outgoingClearMessageId(client: Client, packet: OutgoingPacket): Promise<unknown>;
  outgoingStream(client: Client): Readable;
  /** Drops a queued message never sent (it has no message id): see dropUnsent. */
  dropUnsent(clientId: string, packet: OutgoingPacket): Promise<unknown>;
}

interface Entry {
  packet: OutgoingPacket;
  /** The packet as last written to the client, with its message id; null before that. */
  sent: OutgoingPacket | null;
  since: number;
}

interface ClientQueue {
  /** brokerCounter → entry, in the order they were queued (all of this broker's id). */
  entries: Map<number, Entry>;
  /** message id → brokerCounter, for the PUBACK. */
  byMessageId: Map<number, number>;
}

/**
 * QoS 1 messages to connected persistent sessions, held in memory until acknowledged.
 *
 * aedes stores every QoS 1 message for each persistent subscriber before sending it,
 * records its message id when sending and deletes it on the PUBACK: about seven LevelDB
 * operations per delivery, which held the fan-out to persistent sessions (the browser
 * app's) at 0.05× Mosquitto's rate (docs/benchmarks.md). Here a message for a session
 * that is connected is queued in memory; its PUBACK clears it without touching the disk.
 * One still unacknowledged after OUTGOING_FLUSH_AFTER_MS, or when its client disconnects
 * (`flushClient`), is written through to the disk store, so a session's queue on disk is
 * complete whenever the session is offline. A crash loses only what connected clients
 * had not acknowledged within that second. QoS 2 and messages for offline sessions go
 * straight to disk, as before.
 */
export class OutgoingCache {
  private readonly queues = new Map<string, ClientQueue>();
  private readonly flushing = new Map<string, Promise<void>>();
  /**
   * Whether a connecting client is sent nothing of its queue: one being closed (aedes
   * clears every queued message its authorizeForward refuses, so replaying to it would
   * empty the queue it keeps for its next connection).
   */
  withholdQueueFrom: (client: Client) => boolean = () => false;

  constructor(
    private readonly disk: OutgoingStore,
    private readonly isConnected: (clientId: string) => boolean,
    private readonly onWriteError: (error: unknown, clientId: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  outgoingEnqueue(sub: { clientId: string }, packet: OutgoingPacket): Promise<unknown> {
    if (packet.qos !== 1 || !packet.brokerId || !this.isConnected(sub.clientId)) {
      return this.disk.outgoingEnqueue(sub, packet);
    }
    // aedes never changes a packet once it is queued or written: kept as they are.
    const queue = this.queueOf(sub.clientId);
    queue.entries.set(packet.brokerCounter!, { packet, sent: null, since: this.now() });
    return RESOLVED;
  }

  outgoingUpdate(client: Client, packet: OutgoingPacket): Promise<unknown> {
    const queue = this.queues.get(client.id);
    const key = packet.brokerCounter;
    const entry = key === undefined ? undefined : queue?.entries.get(key);
    if (!queue || !entry || key === undefined || entry.packet.brokerId !== packet.brokerId) {
      return this.afterFlush(client.id, () => this.disk.outgoingUpdate(client, packet));
    }
    if (entry.sent?.messageId !== undefined) queue.byMessageId.delete(entry.sent.messageId);
    entry.sent = packet;
    if (packet.messageId !== undefined) queue.byMessageId.set(packet.messageId, key);
    return RESOLVED;
  }

  outgoingClearMessageId(client: Client, packet: OutgoingPacket): Promise<unknown> {
    const queue = this.queues.get(client.id);
    const key =
      packet.messageId === undefined ? undefined : queue?.byMessageId.get(packet.messageId);
    const entry = key === undefined ? undefined : queue?.entries.get(key);
    if (!queue || key === undefined || !entry) {
      return this.afterFlush(client.id, () => this.disk.outgoingClearMessageId(client, packet));
    }
    // The emptied queue stays until its client disconnects: a busy session would otherwise
    // build and drop one per message.
    queue.byMessageId.delete(packet.messageId!);
    queue.entries.delete(key);
    return Promise.resolve(entry.sent ?? entry.packet);
  }

  /**
   * Forgets a message queued for a client and never sent to it (withheld by
   * authorizeForward): no PUBACK will ever clear it, and aedes' own clear looks for a
   * message id it never got. Held in memory, or on disk (QoS 2, or queued while the client
   * was still connecting).
   */
  dropUnsent(clientId: string, packet: OutgoingPacket): void {
    const queue = this.queues.get(clientId);
    const key = packet.brokerCounter;
    const entry = key === undefined ? undefined : queue?.entries.get(key);
    if (entry?.sent === null && entry.packet.brokerId === packet.brokerId) {
      queue!.entries.delete(key!);
      return;
    }
    if (entry || !packet.brokerId || key === undefined) return; // sent: its PUBACK clears it
    this.afterFlush(clientId, () => this.disk.dropUnsent(clientId, packet)).catch(
      (error: unknown) => this.onWriteError(error, clientId),
    );
  }

  /**
   * The client's stored queue, after what it had in memory is on disk too. A message that
   * was sent before (it has a message id) goes out again with DUP set [MQTT-3.3.1-1],
   * which aedes leaves unset.
   */
  outgoingStream(client: Client): Readable {
    if (this.withholdQueueFrom(client)) return Readable.from([]);
    const flushed = this.flushClient(client.id);
    const { disk } = this;
    return Readable.from(
      (async function* () {
        await flushed;
        for await (const packet of disk.outgoingStream(client)) {
          const stored = packet as OutgoingPacket & { dup?: boolean };
          if (stored.cmd !== 'pubrel' && typeof stored.messageId === 'number') stored.dup = true;
          yield stored;
        }
      })(),
    );
  }

  /** Writes a client's unacknowledged messages to disk (when it disconnects, say). */
  flushClient(clientId: string): Promise<void> {
    const queue = this.queues.get(clientId);
    const previous = this.flushing.get(clientId);
    this.queues.delete(clientId);
    if (!queue || queue.entries.size === 0) return previous ?? Promise.resolve();
    return this.track(clientId, [...queue.entries.values()], previous);
  }

  /** Writes the messages that have waited longer than OUTGOING_FLUSH_AFTER_MS. */
  flushAged(): Promise<void> {
    const cutoff = this.now() - OUTGOING_FLUSH_AFTER_MS;
    const writes: Promise<void>[] = [];
    for (const [clientId, queue] of this.queues) {
      const aged: Entry[] = [];
      for (const [key, entry] of queue.entries) {
        if (entry.since > cutoff) break; // queued in order: the rest are younger
        aged.push(entry);
        queue.entries.delete(key);
        if (entry.sent?.messageId !== undefined) queue.byMessageId.delete(entry.sent.messageId);
      }
      if (aged.length > 0) writes.push(this.track(clientId, aged, this.flushing.get(clientId)));
    }
    return Promise.all(writes).then(() => undefined);
  }

  /** Writes everything held (before the disk closes). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.queues.keys()].map((clientId) => this.flushClient(clientId)));
    await Promise.all(this.flushing.values());
  }

  /** How many messages are held in memory for a client (for the admin console). */
  heldFor(clientId: string): number {
    return this.queues.get(clientId)?.entries.size ?? 0;
  }

  /** The client's queue on disk only, without writing anything through (for reading). */
  storedStream(client: Client): Readable {
    return this.disk.outgoingStream(client);
  }

  /** Disk work for a client waits for its messages still being written through. */
  private afterFlush<T>(clientId: string, work: () => Promise<T>): Promise<T> {
    const pending = this.flushing.get(clientId);
    return pending ? pending.then(work) : work();
  }

  private queueOf(clientId: string): ClientQueue {
    let queue = this.queues.get(clientId);
    if (!queue) {
      queue = { entries: new Map(), byMessageId: new Map() };
      this.queues.set(clientId, queue);
    }
    return queue;
  }

  /** Writes entries in order, after any earlier flush of the same client. */
  private track(clientId: string, entries: Entry[], previous?: Promise<void>): Promise<void> {
    const written = (previous ?? Promise.resolve()).then(() =>
      this.writeThrough(clientId, entries),
    );
    this.flushing.set(clientId, written);
    void written.then(() => {
      if (this.flushing.get(clientId) === written) this.flushing.delete(clientId);
    });
    return written;
  }

  private async writeThrough(clientId: string, entries: Entry[]): Promise<void> {
    for (const { packet, sent } of entries) {
      try {
        await this.disk.outgoingEnqueue({ clientId }, packet);
        if (sent) await this.disk.outgoingUpdate({ id: clientId }, sent);
      } catch (error) {
        this.onWriteError(error, clientId);
      }
    }
  }
}
