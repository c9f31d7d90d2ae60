import type { InFlightJournal, JournalBatch, JournaledPacket } from './inflight-journal';

/** A QoS 1 message the outgoing cache holds in memory for one or more connected clients. */
export interface HeldMessage {
  packet: JournaledPacket;
  since: number;
  /** Every client it was held for; `held` of them still hold it. */
  clientIds: string[];
  held: number;
  journaled: boolean;
  /** Since the journal last heard of it: holders that let go of it, that were first sent it. */
  released?: string[];
  sentTo?: string[];
  /** How many changes of it the journal has (keys after its record). */
  changes: number;
}

/**
 * What the crash journal is told of the outgoing cache's held messages, and when: a message
 * held past a cutoff is noted with its holders, later changes to its holders are appended,
 * and once nobody holds it, it is forgotten; one batch per `write`. A failed batch is
 * reported, and what it carried is told again in a later one.
 */
export class JournalKeeper {
  /** Held messages not journaled yet, oldest first. */
  private readonly unjournaled = new Map<number, HeldMessage>();
  private readonly changed = new Set<HeldMessage>();
  private forgotten: HeldMessage[] = [];
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly journal: InFlightJournal,
    private readonly onWriteError: (error: unknown) => void,
  ) {}

  added(message: HeldMessage): void {
    this.unjournaled.set(message.packet.brokerCounter!, message);
  }

  /** A holder was sent the message for the first time (after a crash it goes out as DUP). */
  sent(message: HeldMessage, clientId: string): void {
    if (!message.journaled) return;
    (message.sentTo ??= []).push(clientId);
    this.changed.add(message);
  }

  /** A holder let go of it (acknowledged, withheld, or now in its queue on disk). */
  released(message: HeldMessage, clientId: string): void {
    if (!message.journaled) return;
    (message.released ??= []).push(clientId);
    this.changed.add(message);
  }

  /** Nobody holds it any more. */
  gone(message: HeldMessage): void {
    this.unjournaled.delete(message.packet.brokerCounter!);
    this.changed.delete(message);
    // Not journaled but with changes: its note failed after a change of it was written.
    if (message.journaled || message.changes > 0) this.forgotten.push(message);
  }

  /**
   * Notes the messages held since `cutoff` or before (with `holdersOf` them), appends the
   * changes of journaled ones, forgets the gone ones; resolves when the batch is written.
   */
  write(
    cutoff: number,
    holdersOf: (message: HeldMessage) => { clientIds: string[]; sentTo: string[] },
  ): Promise<void> {
    const forgotten = this.forgotten;
    this.forgotten = [];
    const changed = [...this.changed];
    this.changed.clear();
    const noted: HeldMessage[] = [];
    for (const [key, message] of this.unjournaled) {
      if (message.since > cutoff) break; // held in order: the rest are younger
      this.unjournaled.delete(key);
      message.journaled = true;
      noted.push(message);
    }
    if (noted.length + changed.length + forgotten.length === 0) return this.writes;
    const batch: JournalBatch = {
      noted: noted.map((message) => ({ packet: message.packet, ...holdersOf(message) })),
      changed: changed.map((message) => ({
        packet: message.packet,
        change: (message.changes += 1),
        released: message.released ?? [],
        sentTo: message.sentTo ?? [],
      })),
      forgotten: forgotten.map((message) => ({
        packet: message.packet,
        changes: message.changes,
      })),
    };
    for (const message of changed) message.released = message.sentTo = undefined;
    // In order: a message's changes and forgetting follow its note.
    this.writes = this.writes.then(() =>
      this.journal.write(batch).catch((error: unknown) => {
        this.onWriteError(error);
        this.tellAgain(noted, changed, batch);
        this.forgotten.push(...forgotten);
      }),
    );
    return this.writes;
  }

  /** After a failed batch (written all or nothing): its contents go into a later one. */
  private tellAgain(noted: HeldMessage[], changed: HeldMessage[], batch: JournalBatch): void {
    for (const message of noted) {
      if (message.held === 0) continue; // gone meanwhile: it was forgotten too, harmlessly
      // Noted again in full, with its holders then, once the messages ahead of it are.
      message.journaled = false;
      message.released = message.sentTo = undefined;
      this.changed.delete(message);
      this.unjournaled.set(message.packet.brokerCounter!, message);
    }
    changed.forEach((message, i) => {
      if (message.held === 0 || !message.journaled) return;
      const lost = batch.changed[i]!;
      message.released = [...lost.released, ...(message.released ?? [])];
      message.sentTo = [...lost.sentTo, ...(message.sentTo ?? [])];
      this.changed.add(message);
    });
  }
}
