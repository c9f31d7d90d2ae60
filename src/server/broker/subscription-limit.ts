import type { Client } from 'aedes';

/**
 * Filters one connection may hold at once. Each is matched against every message routed
 * in its org, and a QoS 2 delivery walks the client's filters (authorize-forward.ts): a
 * review's 100,000 filters held the event loop 8.5 s over 20 QoS 2 messages. The app holds
 * a handful; a service or device a few dozen.
 */
export const MAX_SUBSCRIPTIONS_PER_CLIENT = 1_000;

/**
 * The (mounted) filters each connection was granted, aedes' own list or not yet: the
 * filters of one SUBSCRIBE are all granted before aedes adds the first of them.
 */
const held = new WeakMap<Client, Set<string>>();

/** Counts the filter as the client's; false, counting nothing, when that is one too many. */
export function claimFilter(client: Client, mounted: string): boolean {
  let filters = held.get(client);
  if (!filters) {
    filters = new Set();
    held.set(client, filters);
  }
  if (filters.has(mounted)) return true; // granted again: its QoS may change
  if (filters.size >= MAX_SUBSCRIPTIONS_PER_CLIENT) return false;
  filters.add(mounted);
  return true;
}

/** The client left these filters (UNSUBSCRIBE, or its rules no longer allow them). */
export function releaseFilters(client: Client, mounted: readonly string[]): void {
  const filters = held.get(client);
  if (filters) for (const filter of mounted) filters.delete(filter);
}
