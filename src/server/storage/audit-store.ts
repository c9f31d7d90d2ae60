import type { Database } from 'better-sqlite3';
import { StorageError } from './storage-error';

export type AuditDetail = Record<string, unknown>;

export interface AuditEntry {
  /** Opaque and increasing: later entries have larger ids. */
  id: string;
  /** ms since the epoch */
  at: number;
  /**
   * Who made the change: a user of the org, as a bare user id (an admin in the admin
   * console, or anyone of the app creating a room), or `cli:<OS user>` (the CLI,
   * cli/cli-actor.ts; no user id holds a ':').
   */
  actor: string;
  /** What happened, e.g. `user.role`, `room.create`; stable snake_case after the dot. */
  action: string;
  /** What it happened to: a user id, a token id, a client id, a topic, a room id. */
  target: string;
  detail: AuditDetail;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** Pass as `before` for the next older page; null when there is nothing older. */
  nextCursor: string | null;
}

/** Who changed what in an org, and when; kept for good (an org's admins read it). */
export interface AuditStore {
  record(
    org: string,
    entry: { actor: string; action: string; target: string; detail?: AuditDetail },
  ): AuditEntry;
  /** @throws StorageError invalid_cursor | invalid_argument */
  page(org: string, options: { before?: string; limit: number }): AuditPage;
}

const MAX_PAGE_LIMIT = 1_000;

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

function decodeCursor(cursor: string): number {
  const seq = /^[1-9][0-9]{0,15}$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new StorageError('invalid_cursor', `"${cursor}" is not an audit cursor`);
  }
  return seq;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    detail: JSON.parse(row.detail) as AuditDetail,
  };
}

export function createAuditStore(db: Database, now: () => number): AuditStore {
  const insert = db.prepare<[string, number, string, string, string, string]>(
    'INSERT INTO audit_log (org_id, at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
  );
  // One extra row to learn whether an older page exists.
  const selectPage = db.prepare<[string, number, number], AuditRow>(
    `SELECT seq, at, actor, action, target, detail FROM audit_log
     WHERE org_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
  );

  return {
    record(org, { actor, action, target, detail = {} }) {
      const at = now();
      const result = insert.run(org, at, actor, action, target, JSON.stringify(detail));
      return { id: String(result.lastInsertRowid), at, actor, action, target, detail };
    },
    page(org, { before, limit }) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
        throw new StorageError('invalid_argument', `limit must be 1-${MAX_PAGE_LIMIT}`);
      }
      const beforeSeq = before === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(before);
      const rows = selectPage.all(org, beforeSeq, limit + 1);
      const entries = rows.slice(0, limit).map(toEntry);
      const last = entries[entries.length - 1];
      return { entries, nextCursor: rows.length > limit && last ? last.id : null };
    },
  };
}
