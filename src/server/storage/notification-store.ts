import type { Database } from 'better-sqlite3';
import {
  MAX_MARK_READ_IDS,
  NOTIFICATION_CURSOR_PATTERN,
  NOTIFICATIONS_UNREAD_CAP,
  type NotificationsPage,
} from '../../shared/notifications-api';
import type { AppNotification } from '../../shared/schemas';
import { StorageError } from './storage-error';
import { assertId } from './validate';

/**
 * Notifications as the broker delivered them to each person, kept for the retention
 * period, with which of them the person has read (on any device).
 *
 * A user's inbox is what was received since the user was created, so one created later
 * under a deleted user's id, or under an id notified before it existed, inherits nothing:
 * not to list, count or mark.
 */
export interface NotificationStore {
  /** Stores a notification once per (org, user, id). Returns true when it was new. */
  record(org: string, user: string, notification: AppNotification, receivedAt?: number): boolean;
  /**
   * Whether the user's notifications hold this very one: its id with the same title, body,
   * link and createdAt (a resend), not another notification under that id.
   */
  holds(org: string, user: string, notification: AppNotification): boolean;
  /**
   * A page of the user's inbox, newest first, and (as one snapshot) their unread count and
   * newest cursor.
   * @throws StorageError invalid_cursor | invalid_argument
   */
  page(org: string, user: string, options: { before?: string; limit: number }): NotificationsPage;
  /** How many of the user's notifications are unread, at most NOTIFICATIONS_UNREAD_CAP. */
  unread(org: string, user: string): number;
  /**
   * Marks the user's notifications `ids` read; ids of none of theirs are passed over.
   * Returns how many were unread.
   * @throws StorageError invalid_argument (more than MAX_MARK_READ_IDS) | invalid_id
   */
  markRead(org: string, user: string, ids: readonly string[]): number;
  /**
   * Marks read every notification of the user up to `upTo` (a page's newestCursor), that one
   * included: what arrives after it stays unread. Returns how many were unread.
   * @throws StorageError invalid_cursor | invalid_id
   */
  markReadUpTo(org: string, user: string, upTo: string): number;
  /** Deletes a (deleted) user's notifications; returns how many. */
  forgetUser(org: string, user: string): number;
  /** Deletes notifications received before `olderThanMs`; returns how many. */
  prune(olderThanMs: number): number;
}

const MAX_PAGE_LIMIT = 1_000;

interface NotificationRow {
  seq: number;
  id: string;
  title: string;
  body: string;
  link: string | null;
  created_at: number;
  read_at: number | null;
}

// A cursor is a seq: the paging `before` and the marking `upTo` alike.
function decodeCursor(cursor: string): number {
  const seq = NOTIFICATION_CURSOR_PATTERN.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new StorageError('invalid_cursor', `"${cursor}" is not a notifications cursor`);
  }
  return seq;
}

// From when the user was created; NULL (no such user) matches nothing.
const SINCE_CREATED =
  'received_at >= (SELECT created_at FROM users WHERE org_id = ? AND user_id = ?)';

/** The statements whose query plans matter, as the store prepares them (tests EXPLAIN them). */
export const PLANNED_SQL = {
  // An index-only walk of notifications_unread (migrations.ts) that stops at the cap.
  countUnread: `SELECT count(*) AS n FROM (
       SELECT 1 FROM notifications
       WHERE org_id = ? AND user_id = ? AND read_at IS NULL AND ${SINCE_CREATED}
       LIMIT ?
     )`,
  // `+read_at`: by the ids (the unique index), not by walking every unread notification of
  // the user through notifications_unread, which the planner picks otherwise.
  markIdsRead: `UPDATE notifications SET read_at = ?
     WHERE org_id = ? AND user_id = ? AND id IN (SELECT value FROM json_each(?))
       AND +read_at IS NULL AND ${SINCE_CREATED}`,
  markReadUpTo: `UPDATE notifications SET read_at = ?
     WHERE org_id = ? AND user_id = ? AND seq <= ? AND read_at IS NULL AND ${SINCE_CREATED}`,
};

export function createNotificationStore(db: Database, now: () => number): NotificationStore {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO notifications (org_id, user_id, id, title, body, link, created_at, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectPage = db.prepare<[string, string, number, number], NotificationRow>(
    `SELECT n.seq, n.id, n.title, n.body, n.link, n.created_at, n.read_at FROM notifications n
     JOIN users u ON u.org_id = n.org_id AND u.user_id = n.user_id
     WHERE n.org_id = ? AND n.user_id = ? AND n.seq < ? AND n.received_at >= u.created_at
     ORDER BY n.seq DESC LIMIT ?`,
  );
  const selectNewest = db.prepare<[string, string, string, string], { seq: number }>(
    `SELECT seq FROM notifications WHERE org_id = ? AND user_id = ? AND ${SINCE_CREATED}
     ORDER BY seq DESC LIMIT 1`,
  );
  const countUnread = db.prepare<[string, string, string, string, number], { n: number }>(
    PLANNED_SQL.countUnread,
  );
  const updateIds = db.prepare<[number, string, string, string, string, string]>(
    PLANNED_SQL.markIdsRead,
  );
  const updateUpTo = db.prepare<[number, string, string, number, string, string]>(
    PLANNED_SQL.markReadUpTo,
  );
  const selectSame = db.prepare<
    [string, string, string, string, string, string | null, number],
    { found: 1 }
  >(
    `SELECT 1 AS found FROM notifications
     WHERE org_id = ? AND user_id = ? AND id = ? AND title = ? AND body = ? AND link IS ?
       AND created_at = ?`,
  );
  const deleteOfUser = db.prepare('DELETE FROM notifications WHERE org_id = ? AND user_id = ?');
  const deleteOld = db.prepare('DELETE FROM notifications WHERE received_at < ?');

  const unread = (org: string, user: string) =>
    countUnread.get(org, user, org, user, NOTIFICATIONS_UNREAD_CAP)?.n ?? 0;

  // One snapshot: the count and the newest cursor agree with the page, though the broker
  // records meanwhile (on another connection, in another process: the CLI's never does).
  const page = db.transaction(
    (org: string, user: string, beforeSeq: number, limit: number): NotificationsPage => {
      const rows = selectPage.all(org, user, beforeSeq, limit + 1);
      const pageRows = rows.slice(0, limit);
      const last = pageRows[pageRows.length - 1];
      const newest = selectNewest.get(org, user, org, user);
      return {
        notifications: pageRows.map((row) => ({
          id: row.id,
          title: row.title,
          body: row.body,
          ...(row.link === null ? {} : { link: row.link }),
          createdAt: row.created_at,
          read: row.read_at !== null,
        })),
        nextCursor: rows.length > limit && last ? String(last.seq) : null,
        unread: unread(org, user),
        newestCursor: newest ? String(newest.seq) : null,
      };
    },
  );

  return {
    record(org, user, notification, receivedAt = now()) {
      assertId('org', org);
      assertId('user', user);
      const { id, title, body, link, createdAt } = notification;
      return (
        insert.run(org, user, id, title, body, link ?? null, createdAt, Math.trunc(receivedAt))
          .changes > 0
      );
    },
    holds: (org, user, { id, title, body, link, createdAt }) =>
      selectSame.get(org, user, id, title, body, link ?? null, createdAt) !== undefined,
    page(org, user, { before, limit }) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
        throw new StorageError('invalid_argument', `limit must be 1-${MAX_PAGE_LIMIT}`);
      }
      const beforeSeq = before === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(before);
      return page(org, user, beforeSeq, limit);
    },
    unread,
    markRead(org, user, ids) {
      assertId('org', org);
      assertId('user', user);
      if (ids.length > MAX_MARK_READ_IDS) {
        throw new StorageError(
          'invalid_argument',
          `name at most ${MAX_MARK_READ_IDS} notifications`,
        );
      }
      if (ids.length === 0) return 0;
      return updateIds.run(Math.trunc(now()), org, user, JSON.stringify(ids), org, user).changes;
    },
    markReadUpTo(org, user, upTo) {
      assertId('org', org);
      assertId('user', user);
      const seq = decodeCursor(upTo);
      return updateUpTo.run(Math.trunc(now()), org, user, seq, org, user).changes;
    },
    forgetUser: (org, user) => deleteOfUser.run(org, user).changes,
    prune: (olderThanMs) => deleteOld.run(Math.trunc(olderThanMs)).changes,
  };
}
