import type { Database } from 'better-sqlite3';
import {
  MAX_READ_CANDIDATES,
  UNREAD_CAP,
  type RoomUnread,
  type UnreadCounts,
} from '../../shared/unread-api';
import { StorageError } from './storage-error';
import { assertId } from './validate';

/**
 * How far each person has read each room, as a history seq (migrations.ts, read_positions):
 * unread counts that survive reloads and are the same on every device.
 */
export interface ReadPositionStore {
  /**
   * For each of `rooms`: how many messages from others are after the user's read position
   * there (in a room they never read, after the user was created), at most UNREAD_CAP;
   * and the clock as they were counted.
   */
  unread(org: string, user: string, rooms: readonly string[]): UnreadCounts;
  /**
   * Moves the user's position in `room` up to the newest (by seq) of the messages `ids`
   * found there, never back. Returns whether it moved.
   * @throws StorageError not_found when none of them is a message of the room (not
   * recorded, or pruned since) | invalid_argument
   */
  markRead(org: string, user: string, room: string, ids: readonly string[]): boolean;
}

export function createReadPositionStore(db: Database, now: () => number): ReadPositionStore {
  const selectPositions = db.prepare<[string, string], { room_id: string; seq: number }>(
    'SELECT room_id, seq FROM read_positions WHERE org_id = ? AND user_id = ?',
  );
  const selectBaseline = db.prepare<[string, string], { seq: number }>(
    'SELECT seq FROM read_baselines WHERE org_id = ? AND user_id = ?',
  );
  // Walks messages_room_seq_sender up from the position, never the table, and stops at the
  // cap: a long backlog costs no more than UNREAD_CAP rows of others' (plus the user's own
  // after the position, which the app's marks keep few). It matters, as the broker shares
  // this event loop: 1,000 rooms at the cap took about 25 ms, where their ids took 130.
  const countUnread = db.prepare<[string, string, number, string, number], { n: number }>(
    `SELECT count(*) AS n FROM (
       SELECT 1 FROM messages
       WHERE org_id = ? AND room_id = ? AND seq > ? AND sender <> ?
       LIMIT ?
     )`,
  );
  const selectNewestOf = db.prepare<[string, string, string], { seq: number | null }>(
    `SELECT max(seq) AS seq FROM messages
     WHERE org_id = ? AND room_id = ? AND id IN (SELECT value FROM json_each(?))`,
  );
  const upsert = db.prepare(
    `INSERT INTO read_positions (org_id, user_id, room_id, seq, read_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (org_id, user_id, room_id) DO UPDATE
       SET seq = excluded.seq, read_at = excluded.read_at
       WHERE excluded.seq > read_positions.seq`,
  );

  // One snapshot for every room, though other connections write meanwhile; its time is
  // taken as it starts (at its first read), so what was recorded before that is counted.
  const unread = db.transaction((org: string, user: string, rooms: readonly string[]) => {
    const asOf = Math.trunc(now());
    const positions = new Map(selectPositions.all(org, user).map((row) => [row.room_id, row.seq]));
    // Every user has a baseline (a trigger writes it as the user is created).
    const baseline = selectBaseline.get(org, user)?.seq ?? 0;
    const counts = rooms.map((room): RoomUnread => {
      const after = Math.max(baseline, positions.get(room) ?? 0);
      return { room, unread: countUnread.get(org, room, after, user, UNREAD_CAP)?.n ?? 0 };
    });
    return { asOf, rooms: counts };
  });

  return {
    unread: (org, user, rooms) => unread(org, user, rooms),
    markRead(org, user, room, ids) {
      assertId('org', org);
      assertId('user', user);
      assertId('room', room);
      if (ids.length === 0 || ids.length > MAX_READ_CANDIDATES) {
        throw new StorageError(
          'invalid_argument',
          `name 1-${MAX_READ_CANDIDATES} messages to read up to`,
        );
      }
      const seq = selectNewestOf.get(org, room, JSON.stringify(ids))?.seq ?? null;
      if (seq === null) {
        throw new StorageError('not_found', `none of those messages is in room "${room}"`);
      }
      return upsert.run(org, user, room, seq, Math.trunc(now())).changes > 0;
    },
  };
}
