import type { Level } from 'level';

// Which persistent sessions the broker holds, read from aedes-persistence-level's keys:
// the persistence API can list one client's subscriptions and queue, but not which
// clients there are. The layout (`subscriptions:<encodeURIComponent(id)>:<topic>`,
// `outgoing:<id>:…`, `outgoing-id:<id>:…`) is that of aedes-persistence-level 9;
// test/server/admin/sessions.test.ts fails if it changes.
const SUBSCRIPTIONS = 'subscriptions:';
const OUTGOING = 'outgoing:';
const OUTGOING_BY_ID = 'outgoing-id:';

// Every key under a prefix ending in ':' sorts below the same prefix ending in ';'.
function prefixRange(prefix: string) {
  return { gte: prefix, lt: `${prefix.slice(0, -1)};` };
}

/** The (mounted) client ids with stored subscriptions or queued messages. */
export async function storedClientIds(db: Level<string, unknown>): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const prefix of [SUBSCRIPTIONS, OUTGOING]) {
    const { lt } = prefixRange(prefix);
    let gte = prefix;
    // One seek per client rather than a walk over every subscription and queued message.
    for (;;) {
      const [key] = await db.keys({ gte, lt, limit: 1 }).all();
      if (key === undefined) break;
      const end = key.indexOf(':', prefix.length);
      if (end < 0) break;
      const encoded = key.slice(prefix.length, end);
      ids.add(decodeURIComponent(encoded));
      // Past every key of this client: encodeURIComponent never emits ':' or ';', and a
      // longer id sharing this one as a prefix sorts either before it (seen already) or
      // after `<id>;`.
      gte = `${prefix}${encoded};`;
    }
  }
  return ids;
}

/** Every stored subscription: its key, the (mounted) client id and the filter as stored. */
export async function* storedFilters(
  db: Level<string, unknown>,
): AsyncGenerator<{ key: string; clientId: string; topic: string }> {
  for await (const key of db.keys(prefixRange(SUBSCRIPTIONS))) {
    const end = key.indexOf(':', SUBSCRIPTIONS.length);
    if (end < 0) continue;
    let clientId: string;
    try {
      clientId = decodeURIComponent(key.slice(SUBSCRIPTIONS.length, end));
    } catch {
      continue; // not a key aedes-persistence-level wrote
    }
    yield { key, clientId, topic: key.slice(end + 1) };
  }
}

/** Drops a client's queued messages, delivered or not. */
export async function clearStoredQueue(db: Level<string, unknown>, clientId: string) {
  const encoded = encodeURIComponent(clientId);
  await db.clear(prefixRange(`${OUTGOING}${encoded}:`));
  await db.clear(prefixRange(`${OUTGOING_BY_ID}${encoded}:`));
}

/**
 * Drops one queued message that was never sent to the client (it has no message id, so no
 * `outgoing-id:` key points at it): aedes' own clear looks messages up by message id only.
 */
export async function dropUnsentMessage(
  db: Level<string, unknown>,
  clientId: string,
  brokerId: string,
  brokerCounter: number,
) {
  await db.del(queuedKey(clientId, brokerId, brokerCounter));
}

/** Whether a message is in the client's queue on disk. */
export async function isQueued(
  db: Level<string, unknown>,
  clientId: string,
  brokerId: string,
  brokerCounter: number,
): Promise<boolean> {
  return (await db.get(queuedKey(clientId, brokerId, brokerCounter))) !== undefined;
}

function queuedKey(clientId: string, brokerId: string, brokerCounter: number): string {
  const counter = String(brokerCounter).padStart(16, '0');
  return `${OUTGOING}${encodeURIComponent(clientId)}:${brokerId}:${counter}`;
}

// When each persistent session's client was last connected (ms since the epoch), for
// session expiry (session-expiry.ts). Switchboard's own keys, beside aedes'.
const LAST_SEEN = 'last-seen:';
const lastSeenKey = (clientId: string) => `${LAST_SEEN}${encodeURIComponent(clientId)}`;

/** Notes that these (mounted) client ids were connected at `at`. */
export async function markSeen(db: Level<string, unknown>, clientIds: string[], at: number) {
  if (clientIds.length === 0) return;
  await db.batch(
    clientIds.map((id) => ({ type: 'put' as const, key: lastSeenKey(id), value: String(at) })),
  );
}

/** When the client was last connected; undefined if that was never noted. */
export async function lastSeen(
  db: Level<string, unknown>,
  clientId: string,
): Promise<number | undefined> {
  const at = Number(await db.get(lastSeenKey(clientId)));
  return Number.isFinite(at) ? at : undefined;
}

/** Forgets when the client was last connected (its session is gone). */
export async function forgetSeen(db: Level<string, unknown>, clientId: string) {
  await db.del(lastSeenKey(clientId));
}

const SWEPT_AT = 'sessions-swept-at';

/** When session expiry last swept (ms since the epoch), if ever. */
export async function lastSwept(db: Level<string, unknown>): Promise<number | undefined> {
  const at = Number(await db.get(SWEPT_AT));
  return Number.isFinite(at) ? at : undefined;
}

export async function markSwept(db: Level<string, unknown>, at: number) {
  await db.put(SWEPT_AT, String(at));
}

/** Every (mounted) client id with a last-seen time noted, and that time. */
export async function* seenSessions(
  db: Level<string, unknown>,
): AsyncGenerator<{ clientId: string; seenAt: number }> {
  for await (const [key, value] of db.iterator(prefixRange(LAST_SEEN))) {
    const seenAt = Number(value);
    if (!Number.isFinite(seenAt)) continue;
    yield { clientId: decodeURIComponent(key.slice(LAST_SEEN.length)), seenAt };
  }
}

/** Whether the client has stored subscriptions or queued messages. */
export async function hasStoredSession(
  db: Level<string, unknown>,
  clientId: string,
): Promise<boolean> {
  const encoded = encodeURIComponent(clientId);
  for (const prefix of [SUBSCRIPTIONS, OUTGOING]) {
    const [key] = await db.keys({ ...prefixRange(`${prefix}${encoded}:`), limit: 1 }).all();
    if (key !== undefined) return true;
  }
  return false;
}

/** The (mounted) client ids with a last-seen time noted. */
export async function seenClientIds(db: Level<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  for await (const key of db.keys(prefixRange(LAST_SEEN))) {
    ids.push(decodeURIComponent(key.slice(LAST_SEEN.length)));
  }
  return ids;
}

// Set once stored sessions were rid of the filters they had not been granted
// (granted-subscriptions.ts): the sweep runs at most once per data dir.
const STRAY_FILTERS_DROPPED = 'stray-filters-dropped-at';

export async function strayFiltersDropped(db: Level<string, unknown>): Promise<boolean> {
  return (await db.get(STRAY_FILTERS_DROPPED)) !== undefined;
}

export async function markStrayFiltersDropped(db: Level<string, unknown>, at: number) {
  await db.put(STRAY_FILTERS_DROPPED, String(at));
}
