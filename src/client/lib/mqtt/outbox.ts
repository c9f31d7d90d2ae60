import type { QoS } from './client-types';
import { isDeliveryRefusal, type DeliveryRefusal, type PublishRefusal } from './publish-refusal';

// Messages that must reach the broker (QoS 1) wait here until their PUBACK, across
// disconnects, token swaps and reloads of the tab (sessionStorage). An entry may be
// sent twice if a PUBACK is lost; receivers deduplicate by the payload's id.
//
// A PUBACK from an MQTT 3.1.1 broker does not say the message was delivered: the broker
// acknowledges a publish it refuses too [MQTT-3.3.5-2]. An entry that asks to be confirmed
// is kept after its PUBACK, as unconfirmed, until whoever checks its delivery says it is
// settled (src/client/app/confirm-chat-delivery.ts), so a reload in between does not
// forget a message that may have been refused. One found refused is kept on, as refused,
// until the person discards it: what they wrote must not vanish at the next reload.
export interface OutboxEntry {
  id: string;
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
  /**
   * Kept as unconfirmed after its PUBACK, until `confirmed(id)`; and kept as refused once
   * refused, until `discard(id)`.
   */
  confirm?: boolean;
  /**
   * On a kept refused entry, why it was refused, so that the reason shown after a reload
   * is the true one; absent on one kept before this was recorded.
   */
  refusal?: DeliveryRefusal;
}

export const OUTBOX_STORAGE_KEY = 'switchboard:outbox';
/** Appended to the outbox's key for the unconfirmed entries. */
export const UNCONFIRMED_KEY_SUFFIX = ':unconfirmed';
// Confirming takes about 2 s, or until the server can be asked again after a reconnect:
// far fewer than this. Past it the oldest is forgotten, so storage stays bounded.
export const MAX_UNCONFIRMED = 100;
/** Appended to the outbox's key for the refused entries. */
export const REFUSED_KEY_SUFFIX = ':refused';
// Refused messages wait for the person to discard them or send them again. Mostly a few,
// but a whole paced backlog can be refused at once (the server's defaults: a burst of 60
// and up to 200 waiting their turn, refused together when the person's rules narrow or
// they are disabled): this keeps them all (QA: at 100, 21 of 121 were lost at a reload).
// Past it the oldest is forgotten, so storage stays bounded; a full sessionStorage keeps
// them in memory while the tab lives.
export const MAX_REFUSED = 300;

export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly unconfirmed = new Map<string, OutboxEntry>();
  private readonly refused = new Map<string, OutboxEntry>();
  private readonly storage: Storage | null;
  private readonly key: string;
  private readonly unconfirmedKey: string;
  private readonly refusedKey: string;

  constructor(storage: Storage | null, key = OUTBOX_STORAGE_KEY) {
    this.storage = storage;
    this.key = key;
    this.unconfirmedKey = `${key}${UNCONFIRMED_KEY_SUFFIX}`;
    this.refusedKey = `${key}${REFUSED_KEY_SUFFIX}`;
    for (const entry of this.load(this.key)) this.entries.set(entry.id, entry);
    for (const entry of this.load(this.unconfirmedKey)) this.unconfirmed.set(entry.id, entry);
    for (const entry of this.load(this.refusedKey)) this.refused.set(entry.id, entry);
  }

  add(entry: OutboxEntry): void {
    this.entries.set(entry.id, entry);
    this.save(this.key, this.entries);
  }

  /**
   * Refused for good before any PUBACK said otherwise (an MQTT 5 broker's reason code, or
   * it cannot be sent at all): it leaves the outbox, and is kept as refused if it asked
   * to be confirmed. True when the entry was still waiting.
   */
  refuse(id: string, refusal: PublishRefusal): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    if (entry.confirm) this.keep(this.refused, this.refusedKey, { ...entry, refusal }, MAX_REFUSED);
    this.remove(id);
    return true;
  }

  /**
   * Its PUBACK came: it leaves the outbox, and stays unconfirmed if it asked to be
   * confirmed. True when the entry was still waiting.
   */
  acknowledge(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    if (entry.confirm) this.keep(this.unconfirmed, this.unconfirmedKey, entry, MAX_UNCONFIRMED);
    this.remove(id);
    return true;
  }

  /** Its delivery is settled (or can no longer be told): nothing more to keep. */
  confirmed(id: string): void {
    if (this.unconfirmed.delete(id)) this.save(this.unconfirmedKey, this.unconfirmed);
  }

  /**
   * Its delivery is settled as refused (acknowledged, then not routed): kept as refused
   * until `discard(id)`.
   */
  confirmedRefused(id: string): void {
    const entry = this.unconfirmed.get(id);
    if (!entry) return;
    const refused: OutboxEntry = { ...entry, refusal: { by: 'unrouted' } };
    this.keep(this.refused, this.refusedKey, refused, MAX_REFUSED);
    this.confirmed(id);
  }

  /** Nothing more to keep of a refused entry: discarded, or delivered after all. */
  discard(id: string): void {
    if (this.refused.delete(id)) this.save(this.refusedKey, this.refused);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Waiting for their PUBACK, in the order they were added. */
  list(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  /** Acknowledged, not yet confirmed, in the order they were acknowledged. */
  listUnconfirmed(): OutboxEntry[] {
    return [...this.unconfirmed.values()];
  }

  /** Refused and not yet discarded, in the order they were refused. */
  listRefused(): OutboxEntry[] {
    return [...this.refused.values()];
  }

  clear(): void {
    this.entries.clear();
    this.unconfirmed.clear();
    this.refused.clear();
    this.storage?.removeItem(this.key);
    this.storage?.removeItem(this.unconfirmedKey);
    this.storage?.removeItem(this.refusedKey);
  }

  private remove(id: string): void {
    if (this.entries.delete(id)) this.save(this.key, this.entries);
  }

  /** Adds `entry` to `entries`, forgetting the oldest past `max`, and stores them. */
  private keep(
    entries: Map<string, OutboxEntry>,
    key: string,
    entry: OutboxEntry,
    max: number,
  ): void {
    entries.set(entry.id, entry);
    for (const oldest of entries.keys()) {
      if (entries.size <= max) break;
      entries.delete(oldest);
    }
    this.save(key, entries);
  }

  private save(key: string, entries: Map<string, OutboxEntry>): void {
    try {
      if (entries.size === 0) this.storage?.removeItem(key);
      else this.storage?.setItem(key, JSON.stringify([...entries.values()]));
    } catch {
      // Storage full or disabled: the memory copy still delivers while the tab lives.
    }
  }

  private load(key: string): OutboxEntry[] {
    try {
      const raw = this.storage?.getItem(key);
      if (!raw) return [];
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isOutboxEntry).map(withKnownRefusal) : [];
    } catch {
      return [];
    }
  }
}

function isOutboxEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.id === 'string' &&
    typeof entry.topic === 'string' &&
    typeof entry.payload === 'string' &&
    (entry.qos === 0 || entry.qos === 1) &&
    typeof entry.retain === 'boolean' &&
    (entry.confirm === undefined || typeof entry.confirm === 'boolean')
  );
}

/**
 * `entry` without a refusal this build cannot show (written by a newer build, or
 * garbled): kept all the same, its text matters more than why it was refused, and shown
 * as not delivered without a reason, like one kept before reasons were.
 */
function withKnownRefusal(entry: OutboxEntry): OutboxEntry {
  if (entry.refusal === undefined || isDeliveryRefusal(entry.refusal)) return entry;
  const known = { ...entry };
  delete known.refusal;
  return known;
}
