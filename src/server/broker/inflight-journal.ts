import { deserialize, serialize } from 'node:v8';
import type { Level } from 'level';
import type { InFlightJournal, JournalRecord } from './outgoing-cache';
import { isQueued, storedClientIds } from './stored-sessions';

// The crash journal of outgoing-cache.ts: QoS 1 messages held in memory for connected
// persistent sessions past OUTGOING_JOURNAL_AFTER_MS, one key per message
// (`inflight:<brokerId>:<counter>`) listing the clients that held it. A clean stop leaves
// it empty; after a crash its messages are queued again for those clients.
const JOURNAL = 'inflight:';
const JOURNAL_RANGE = { gte: JOURNAL, lt: 'inflight;' };
const BINARY = { valueEncoding: 'view' } as const;

interface JournaledPacket {
  brokerId?: string | null;
  brokerCounter?: number;
}

function journalKey(packet: JournaledPacket): string {
  return `${JOURNAL}${packet.brokerId}:${String(packet.brokerCounter).padStart(16, '0')}`;
}

/** The journal in the broker's LevelDB: one batch per write. */
export function levelJournal(db: Level<string, unknown>): InFlightJournal {
  return {
    write: (noted, forgotten) =>
      db.batch(
        [
          ...noted.map((record) => ({
            type: 'put' as const,
            key: journalKey(record.packet),
            // v8's serializer keeps Buffers (payload, MQTT 5 correlation data) as they are.
            value: serialize(record),
          })),
          ...forgotten.map((packet) => ({ type: 'del' as const, key: journalKey(packet) })),
        ],
        BINARY,
      ),
  };
}

/**
 * Queues each journaled message again for the clients that held it when the broker
 * stopped (a crash: a clean stop leaves the journal empty), unless their session is gone or
 * the message is still in their queue, then empties the journal. Returns how many
 * messages were queued. Runs before the broker accepts connections.
 */
export async function requeueJournaled(
  db: Level<string, unknown>,
  enqueue: (clientId: string, packet: JournalRecord['packet']) => Promise<unknown>,
): Promise<number> {
  const sessions = await storedClientIds(db);
  let requeued = 0;
  for await (const value of db.values({ ...JOURNAL_RANGE, ...BINARY })) {
    const { packet, clientIds } = deserialize(value as Uint8Array) as JournalRecord;
    const { brokerId, brokerCounter } = packet;
    if (!brokerId || brokerCounter === undefined) continue;
    for (const clientId of clientIds) {
      if (!sessions.has(clientId)) continue;
      if (await isQueued(db, clientId, brokerId, brokerCounter)) continue;
      await enqueue(clientId, packet);
      requeued += 1;
    }
  }
  await db.clear(JOURNAL_RANGE);
  return requeued;
}
