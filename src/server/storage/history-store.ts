import type { Database } from 'better-sqlite3';
import type { ChatMessage } from '../../shared/schemas';
import { StorageError } from './storage-error';
import { assertId } from './validate';

export interface HistoryPage {
  /** Oldest first, ready to render top to bottom. */
  messages: ChatMessage[];
  /** Pass as `before` for the next older page; null when there is nothing older. */
  nextCursor: string | null;
}

/** Chat messages as the broker delivered them, kept for the retention period. */
export interface HistoryStore {
  /**
   * Stores a message once per (org, room, id): a QoS 1 redelivery is a duplicate, not a
   * second message. Returns true when the message was new.
   */
  record(org: string, room: string, message: ChatMessage, receivedAt?: number): boolean;
  /**
   * Whether the room's history holds this very message: its id with the same sender, text
   * and sentAt (a resend), not another message under that id.
   */
  holds(org: string, room: string, message: ChatMessage): boolean;
  /** The message with this id in the room, if it was recorded (and not pruned since). */
  get(org: string, room: string, id: string): ChatMessage | undefined;
  /** @throws StorageError invalid_cursor | invalid_argument */
  page(org: string, room: string, options: { before?: string; limit: number }): HistoryPage;
  /** Deletes messages received before `olderThanMs` (ms since the epoch); returns how many. */
  prune(olderThanMs: number): number;
  count(org: string, room: string): number;
}

// The store's own ceiling; the HTTP API allows less.
const MAX_PAGE_LIMIT = 1_000;

interface MessageRow {
  seq: number;
  id: string;
  sender: string;
  text: string;
  sent_at: number;
}

// The cursor is the row's sequence number. Callers treat it as opaque, so its encoding
// can change without breaking them; decoding refuses anything that is not one.
function decodeCursor(cursor: string): number {
  const seq = /^[1-9][0-9]{0,15}$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new StorageError('invalid_cursor', `"${cursor}" is not a history cursor`);
  }
  return seq;
}

function toMessage(row: Omit<MessageRow, 'seq'>): ChatMessage {
  return { id: row.id, from: row.sender, text: row.text, sentAt: row.sent_at };
}

export function createHistoryStore(db: Database, now: () => number): HistoryStore {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO messages (org_id, room_id, id, sender, text, sent_at, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  // Newest first with one extra row to learn whether an older page exists.
  const selectPage = db.prepare<[string, string, number, number], MessageRow>(
    `SELECT seq, id, sender, text, sent_at FROM messages
     WHERE org_id = ? AND room_id = ? AND seq < ?
     ORDER BY seq DESC LIMIT ?`,
  );
  const selectOne = db.prepare<[string, string, string], Omit<MessageRow, 'seq'>>(
    'SELECT id, sender, text, sent_at FROM messages WHERE org_id = ? AND room_id = ? AND id = ?',
  );
  const deleteOld = db.prepare('DELETE FROM messages WHERE received_at < ?');
  const selectCount = db.prepare<[string, string], { n: number }>(
    'SELECT count(*) AS n FROM messages WHERE org_id = ? AND room_id = ?',
  );
  const get: HistoryStore['get'] = (org, room, id) => {
    const row = selectOne.get(org, room, id);
    return row && toMessage(row);
  };

  return {
    record(org, room, message, receivedAt = now()) {
      assertId('org', org);
      assertId('room', room);
      const result = insert.run(
        org,
        room,
        message.id,
        message.from,
        message.text,
        message.sentAt,
        Math.trunc(receivedAt),
      );
      return result.changes > 0;
    },
    holds(org, room, { id, from, text, sentAt }) {
      const kept = get(org, room, id);
      return (
        kept !== undefined && kept.from === from && kept.text === text && kept.sentAt === sentAt
      );
    },
    get,
    page(org, room, { before, limit }) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
        throw new StorageError('invalid_argument', `limit must be 1-${MAX_PAGE_LIMIT}`);
      }
      const beforeSeq = before === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(before);
      const rows = selectPage.all(org, room, beforeSeq, limit + 1);
      const hasOlder = rows.length > limit;
      const pageRows = rows.slice(0, limit).reverse();
      return {
        messages: pageRows.map(toMessage),
        nextCursor: hasOlder && pageRows[0] ? String(pageRows[0].seq) : null,
      };
    },
    prune: (olderThanMs) => deleteOld.run(Math.trunc(olderThanMs)).changes,
    count: (org, room) => selectCount.get(org, room)?.n ?? 0,
  };
}
