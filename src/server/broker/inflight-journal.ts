import { deserialize, serialize } from 'node:v8';
import type { Level } from 'level';
import { isQueued, storedClientIds } from './stored-sessions';

// The crash journal of outgoing-cache.ts: QoS 1 messages held in memory for connected
// persistent sessions past OUTGOING_JOURNAL_AFTER_MS. A message's record
// (`inflight:<brokerId>:<counter>`) lists the clients holding it when it was noted; its
// changes (`…:<counter>:<change>`) list who let go of it since, and who was first sent it.
// A clean stop leaves the journal empty; after a crash its messages are queued again for
// those still holding them.
const JOURNAL = 'inflight:';
const JOURNAL_RANGE = { gte: JOURNAL, lt: 'inflight;' };
const BINARY = { valueEncoding: 'view' } as const;

export interface JournaledPacket {
  brokerId?: string | null;
  brokerCounter?: number;
}

export interface JournalBatch {
  noted: { packet: JournaledPacket; clientIds: string[]; sentTo: string[] }[];
  changed: { packet: JournaledPacket; change: number; released: string[]; sentTo: string[] }[];
  /** With how many changes each has. */
  forgotten: { packet: JournaledPacket; changes: number }[];
}

/** Where held messages are noted for a crash, and forgotten once no client holds them. */
export interface InFlightJournal {
  write(batch: JournalBatch): Promise<void>;
}

// A change's key ends in the record's counter and the change's; a record's in the counter.
const CHANGE_KEY = /:\d{16}:\d{10}$/;

function recordKey(packet: JournaledPacket): string {
  return `${JOURNAL}${packet.brokerId}:${String(packet.brokerCounter).padStart(16, '0')}`;
}

function changeKey(packet: JournaledPacket, change: number): string {
  return `${recordKey(packet)}:${String(change).padStart(10, '0')}`;
}

/** The journal in the broker's LevelDB: one batch per write. */
export function levelJournal(db: Level<string, unknown>): InFlightJournal {
  return {
    write: ({ noted, changed, forgotten }) =>
      db.batch(
        [
          // v8's serializer keeps Buffers (payload, MQTT 5 correlation data) as they are.
          ...noted.map((record) => put(recordKey(record.packet), record)),
          ...changed.map(({ packet, change, released, sentTo }) =>
            put(changeKey(packet, change), { released, sentTo }),
          ),
          ...forgotten.flatMap(({ packet, changes }) => [
            del(recordKey(packet)),
            ...Array.from({ length: changes }, (_, i) => del(changeKey(packet, i + 1))),
          ]),
        ],
        BINARY,
      ),
  };
}

const put = (key: string, value: unknown) => ({
  type: 'put' as const,
  key,
  value: serialize(value),
});
const del = (key: string) => ({ type: 'del' as const, key });

interface Recovered {
  key: string;
  packet: JournaledPacket & { dup?: boolean };
  holders: Set<string>;
  sentTo: Set<string>;
}

/**
 * The journal's messages, each with the clients still holding it when the broker stopped
 * (a change whose record was never written, its note having failed, is skipped).
 */
async function readJournal(
  db: Level<string, unknown>,
  onUnreadable: (error: unknown, key: string) => void,
): Promise<{ messages: Recovered[]; entries: number }> {
  const messages: Recovered[] = [];
  let entries = 0;
  let current: Recovered | undefined;
  for await (const [key, value] of db.iterator({ ...JOURNAL_RANGE, ...BINARY })) {
    entries += 1;
    const isChange = CHANGE_KEY.test(key);
    if (isChange && current?.key !== key.slice(0, key.lastIndexOf(':'))) continue;
    try {
      const decoded = deserialize(value as Uint8Array) as Record<string, unknown>;
      if (isChange) {
        const change = decoded as { released: string[]; sentTo: string[] };
        for (const id of change.released) current!.holders.delete(id);
        for (const id of change.sentTo) current!.sentTo.add(id);
        continue;
      }
      const record = decoded as Partial<JournalBatch['noted'][number]>;
      if (!record.packet || key !== recordKey(record.packet)) {
        throw new Error('not a journal record');
      }
      current = {
        key,
        packet: record.packet,
        holders: new Set(record.clientIds ?? []),
        sentTo: new Set(record.sentTo ?? []),
      };
      messages.push(current);
    } catch (error) {
      onUnreadable(error, key);
    }
  }
  return { messages, entries };
}

/**
 * Queues each journaled message again for the clients still holding it when the broker
 * stopped (a crash: a clean stop leaves the journal empty), as a duplicate [MQTT-3.3.1-1]
 * for those it had been sent to by the last pass (one sent since goes without), unless
 * their session is gone or the message is in their queue already; then empties the
 * journal. Returns how many messages were queued. Runs before the broker accepts
 * connections; an unreadable entry is reported and skipped.
 */
export async function requeueJournaled(
  db: Level<string, unknown>,
  enqueue: (clientId: string, packet: JournaledPacket) => Promise<unknown>,
  onError: (error: unknown, what: string) => void,
): Promise<number> {
  const { messages, entries } = await readJournal(db, onError);
  // A clean stop leaves nothing: no walk over every stored session at each start then.
  if (entries === 0) return 0;
  const sessions = await storedClientIds(db);
  let requeued = 0;
  for (const { key, packet, holders, sentTo } of messages) {
    const { brokerId, brokerCounter } = packet;
    if (!brokerId || brokerCounter === undefined) continue;
    for (const clientId of holders) {
      if (!sessions.has(clientId)) continue;
      try {
        if (await isQueued(db, clientId, brokerId, brokerCounter)) continue;
        await enqueue(clientId, sentTo.has(clientId) ? { ...packet, dup: true } : packet);
        requeued += 1;
      } catch (error) {
        onError(error, `${key} for ${clientId}`);
      }
    }
  }
  await db.clear(JOURNAL_RANGE);
  return requeued;
}
