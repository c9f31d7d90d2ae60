import { Readable } from 'node:stream';
import type { InFlightJournal } from './inflight-journal';
import { JournalKeeper, type HeldMessage } from './journal-keeper';

// How long a QoS 1 message to connected persistent sessions may wait for its PUBACKs in
// memory before it is noted in the crash journal (once, for all of them). Most are
// acknowledged within milliseconds and never reach the disk at all.
export const OUTGOING_JOURNAL_AFTER_MS = 1_000;
// How long, and how many, a connected client's unacknowledged messages are held in memory
// before they are written to its queue on disk like any queued message (a client that reads
// but never acknowledges would otherwise hold memory without bound). Checked once a pass.
export const OUTGOING_HOLD_MAX_MS = 30_000;
export const OUTGOING_HOLD_MAX_MESSAGES = 10_000;

/** What the cache returns for work done in memory: settled, and the same promise each time. */
export const DONE_IN_MEMORY: Promise<void> = Promise.resolve();

/** A packet as aedes hands it to the outgoing queue (the fields the cache reads). */
export interface OutgoingPacket {
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

interface Message extends HeldMessage {
  packet: OutgoingPacket;
}

interface Entry {
  message: Message;
  /** The packet as last written to the client, with its message id; null before that. */
  sent: OutgoingPacket | null;
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
 *
 * For a crash, a message still unacknowledged after OUTGOING_JOURNAL_AFTER_MS is noted in
 * the journal once, with the clients holding it (one write however many subscribers); who
 * lets go of it after that is appended at most once per pass (OUTGOING_JOURNAL_AFTER_MS / 2
 * in persistence.ts), and it is forgotten when nobody holds it. At the next start the
 * journal's messages are queued again for the clients still holding them
 * (inflight-journal.ts). A crash so loses what connected clients had not acknowledged
 * within that second, and one acknowledged within the last pass may arrive twice (QoS 1
 * allows it). When a client disconnects (`flushClient`), or holds messages longer than
 * OUTGOING_HOLD_MAX_MS or more than OUTGOING_HOLD_MAX_MESSAGES, they are written to its
 * queue on disk, so a session's queue on disk is complete whenever the session is
 * offline. QoS 2 and messages for offline sessions go straight to disk, as before.
 */
export class OutgoingCache {
  private readonly queues = new Map<string, ClientQueue>();
  /** brokerCounter → message held for connected clients (all of this broker's id). */
  private readonly messages = new Map<number, Message>();
  private readonly journal: JournalKeeper;
  private readonly flushing = new Map<string, Promise<void>>();
  /** Per client, the held messages on their way to its queue on disk (still its to hold). */
  private readonly writing = new Map<string, Map<HeldMessage, Entry>>();
  /**
   * Whether a connecting client is sent nothing of its queue: one being closed (aedes
   * clears every queued message its authorizeForward refuses, so replaying to it would
   * empty the queue it keeps for its next connection).
   */
  withholdQueueFrom: (client: Client) => boolean = () => false;

  constructor(
    private readonly disk: OutgoingStore,
    journal: InFlightJournal,
    private readonly isConnected: (clientId: string) => boolean,
    private readonly onWriteError: (error: unknown, clientId: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.journal = new JournalKeeper(journal, (error) => onWriteError(error, '(journal)'));
  }

  outgoingEnqueue(sub: { clientId: string }, packet: OutgoingPacket): Promise<unknown> {
    if (packet.qos !== 1 || !packet.brokerId || !this.isConnected(sub.clientId)) {
      return this.disk.outgoingEnqueue(sub, packet);
    }
    const key = packet.brokerCounter!;
    let message = this.messages.get(key);
    if (message && message.packet.brokerId !== packet.brokerId) {
      return this.disk.outgoingEnqueue(sub, packet);
    }
    const queue = this.queueOf(sub.clientId);
    if (queue.entries.has(key)) return DONE_IN_MEMORY;
    if (!message) {
      // aedes never changes a packet once it is queued or written: kept as they are. It
      // queues a message for all its subscribers at once, before it can be journaled.
      message = { packet, since: this.now(), clientIds: [], held: 0, journaled: false, changes: 0 };
      this.messages.set(key, message);
      this.journal.added(message);
    }
    message.clientIds.push(sub.clientId);
    message.held += 1;
    queue.entries.set(key, { message, sent: null });
    return DONE_IN_MEMORY;
  }

  /** aedes queues a message for all its persistent subscribers at once. */
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: OutgoingPacket): Promise<unknown> {
    let disk: Promise<unknown>[] | undefined;
    for (const sub of subs) {
      const queued = this.outgoingEnqueue(sub, packet);
      if (queued !== DONE_IN_MEMORY) (disk ??= []).push(queued);
    }
    return disk ? Promise.all(disk) : DONE_IN_MEMORY;
  }

  outgoingUpdate(client: Client, packet: OutgoingPacket): Promise<unknown> {
    const queue = this.queues.get(client.id);
    const key = packet.brokerCounter;
    const entry = key === undefined ? undefined : queue?.entries.get(key);
    if (
      !queue ||
      !entry ||
      key === undefined ||
      entry.message.packet.brokerId !== packet.brokerId
    ) {
      return this.afterFlush(client.id, () => this.disk.outgoingUpdate(client, packet));
    }
    if (entry.sent === null) this.journal.sent(entry.message, client.id);
    if (entry.sent?.messageId !== undefined) queue.byMessageId.delete(entry.sent.messageId);
    entry.sent = packet;
    if (packet.messageId !== undefined) queue.byMessageId.set(packet.messageId, key);
    return DONE_IN_MEMORY;
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
    this.release(entry.message, client.id);
    return Promise.resolve(entry.sent ?? entry.message.packet);
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
    if (entry?.sent === null && entry.message.packet.brokerId === packet.brokerId) {
      queue!.entries.delete(key!);
      this.release(entry.message, clientId);
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

  /**
   * Notes the messages that have waited longer than OUTGOING_JOURNAL_AFTER_MS in the
   * journal, forgets the released ones there, and writes to disk what a client has held
   * beyond OUTGOING_HOLD_MAX_MS or OUTGOING_HOLD_MAX_MESSAGES.
   */
  flushAged(): Promise<void> {
    const now = this.now();
    const writes: Promise<void>[] = [];
    const holdCutoff = now - OUTGOING_HOLD_MAX_MS;
    for (const [clientId, queue] of this.queues) {
      const aged: Entry[] = [];
      for (const [key, entry] of queue.entries) {
        const over = queue.entries.size > OUTGOING_HOLD_MAX_MESSAGES;
        if (!over && entry.message.since > holdCutoff) break; // queued in order
        aged.push(entry);
        queue.entries.delete(key);
        if (entry.sent?.messageId !== undefined) queue.byMessageId.delete(entry.sent.messageId);
      }
      if (aged.length > 0) writes.push(this.track(clientId, aged, this.flushing.get(clientId)));
    }
    writes.push(this.writeJournal(now - OUTGOING_JOURNAL_AFTER_MS));
    return Promise.all(writes).then(() => undefined);
  }

  /** Writes everything held (before the disk closes). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.queues.keys()].map((clientId) => this.flushClient(clientId)));
    await Promise.all(this.flushing.values());
    await this.writeJournal(-Infinity);
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

  /** The client lets go of the message; once nobody holds it, it is forgotten. */
  private release(message: Message, clientId: string): void {
    message.held -= 1;
    if (message.held > 0) {
      this.journal.released(message, clientId);
      return;
    }
    this.messages.delete(message.packet.brokerCounter!);
    this.journal.gone(message);
  }

  /** Tells the journal what was held since `cutoff` or before, and what changed. */
  private writeJournal(cutoff: number): Promise<void> {
    return this.journal.write(cutoff, (message) => {
      const key = message.packet.brokerCounter!;
      const clientIds: string[] = [];
      const sentTo: string[] = [];
      for (const id of message.clientIds) {
        const held = this.queues.get(id)?.entries.get(key);
        const entry = held?.message === message ? held : this.writing.get(id)?.get(message);
        if (!entry) continue;
        clientIds.push(id);
        if (entry.sent) sentTo.push(id);
      }
      return { clientIds, sentTo };
    });
  }

  /** Writes entries in order, after any earlier flush of the same client. */
  private track(clientId: string, entries: Entry[], previous?: Promise<void>): Promise<void> {
    let writing = this.writing.get(clientId);
    if (!writing) this.writing.set(clientId, (writing = new Map()));
    for (const entry of entries) writing.set(entry.message, entry);
    const written = (previous ?? Promise.resolve()).then(() =>
      this.writeThrough(clientId, entries),
    );
    this.flushing.set(clientId, written);
    void written.then(() => {
      if (this.flushing.get(clientId) === written) this.flushing.delete(clientId);
    });
    return written;
  }

  /**
   * Writes entries to the client's queue on disk; the journal may then forget them. One
   * the disk refused is reported and let go of as well: it is lost, as before the journal.
   */
  private async writeThrough(clientId: string, entries: Entry[]): Promise<void> {
    for (const { message, sent } of entries) {
      try {
        await this.disk.outgoingEnqueue({ clientId }, message.packet);
        if (sent) await this.disk.outgoingUpdate({ id: clientId }, sent);
      } catch (error) {
        this.onWriteError(error, clientId);
      }
      const writing = this.writing.get(clientId);
      writing?.delete(message);
      if (writing?.size === 0) this.writing.delete(clientId);
      this.release(message, clientId);
    }
  }
}
