import type { QoS } from './client-types';

// Messages that must reach the broker (QoS 1) wait here until their PUBACK, across
// disconnects, token swaps and reloads of the tab (sessionStorage). An entry may be
// sent twice if a PUBACK is lost; receivers deduplicate by the payload's id.
export interface OutboxEntry {
  id: string;
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
}

export const OUTBOX_STORAGE_KEY = 'switchboard:outbox';

export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly storage: Storage | null;
  private readonly key: string;

  constructor(storage: Storage | null, key = OUTBOX_STORAGE_KEY) {
    this.storage = storage;
    this.key = key;
    for (const entry of this.load()) this.entries.set(entry.id, entry);
  }

  add(entry: OutboxEntry): void {
    this.entries.set(entry.id, entry);
    this.save();
  }

  /** True when the entry was still waiting. */
  remove(id: string): boolean {
    const removed = this.entries.delete(id);
    if (removed) this.save();
    return removed;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** In the order they were added. */
  list(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  clear(): void {
    this.entries.clear();
    this.storage?.removeItem(this.key);
  }

  private save(): void {
    try {
      if (this.entries.size === 0) this.storage?.removeItem(this.key);
      else this.storage?.setItem(this.key, JSON.stringify(this.list()));
    } catch {
      // Storage full or disabled: the memory copy still delivers while the tab lives.
    }
  }

  private load(): OutboxEntry[] {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return [];
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isOutboxEntry) : [];
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
    typeof entry.retain === 'boolean'
  );
}
