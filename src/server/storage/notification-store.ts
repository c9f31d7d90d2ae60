import type { Database } from 'better-sqlite3';
import type { AppNotification } from '../../shared/schemas';
import { StorageError } from './storage-error';
import { assertId } from './validate';

export interface NotificationPage {
  /** Newest first, as an inbox lists them. */
  notifications: AppNotification[];
  /** Pass as `before` for the next older page; null when there is nothing older. */
  nextCursor: string | null;
}

/** Notifications as the broker delivered them to each person, kept for the retention period. */
export interface NotificationStore {
  /** Stores a notification once per (org, user, id). Returns true when it was new. */
  record(org: string, user: string, notification: AppNotification, receivedAt?: number): boolean;
  /**
   * The user's inbox: what was received since the user was created, so one created later
   * under a deleted user's id, or under an id notified before it existed, inherits nothing.
   * @throws StorageError invalid_cursor | invalid_argument
   */
  page(org: string, user: string, options: { before?: string; limit: number }): NotificationPage;
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
}

function decodeCursor(cursor: string): number {
  const seq = /^[1-9][0-9]{0,15}$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new StorageError('invalid_cursor', `"${cursor}" is not a notifications cursor`);
  }
  return seq;
}

export function createNotificationStore(db: Database, now: () => number): NotificationStore {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO notifications (org_id, user_id, id, title, body, link, created_at, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectPage = db.prepare<[string, string, number, number], NotificationRow>(
    `SELECT n.seq, n.id, n.title, n.body, n.link, n.created_at FROM notifications n
     JOIN users u ON u.org_id = n.org_id AND u.user_id = n.user_id
     WHERE n.org_id = ? AND n.user_id = ? AND n.seq < ? AND n.received_at >= u.created_at
     ORDER BY n.seq DESC LIMIT ?`,
  );
  const deleteOfUser = db.prepare('DELETE FROM notifications WHERE org_id = ? AND user_id = ?');
  const deleteOld = db.prepare('DELETE FROM notifications WHERE received_at < ?');

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
    page(org, user, { before, limit }) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
        throw new StorageError('invalid_argument', `limit must be 1-${MAX_PAGE_LIMIT}`);
      }
      const beforeSeq = before === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(before);
      const rows = selectPage.all(org, user, beforeSeq, limit + 1);
      const pageRows = rows.slice(0, limit);
      const last = pageRows[pageRows.length - 1];
      return {
        notifications: pageRows.map((row) => ({
          id: row.id,
          title: row.title,
          body: row.body,
          ...(row.link === null ? {} : { link: row.link }),
          createdAt: row.created_at,
        })),
        nextCursor: rows.length > limit && last ? String(last.seq) : null,
      };
    },
    forgetUser: (org, user) => deleteOfUser.run(org, user).changes,
    prune: (olderThanMs) => deleteOld.run(Math.trunc(olderThanMs)).changes,
  };
}
