import type { Database } from 'better-sqlite3';

export type UserChangeKind = 'removed' | 'disabled' | 'role';

/**
 * A user removed, disabled or given another role, by this process or another (the CLI):
 * migrations.ts.
 */
export interface UserChange {
  /** Order of the changes; never reused. */
  seq: number;
  org: string;
  user: string;
  kind: UserChangeKind;
  /** The changed user's creation time (ms): a user under the id created since is another. */
  createdAt: number;
  /** When it changed (ms since the epoch). */
  at: number;
}

/**
 * What the server has still to catch up with in the broker (external-changes.ts). Triggers
 * write it; only the server reads it and deletes what it has caught up with: its broker
 * store is locked to one process, so one server per data dir.
 */
export interface UserChangeLog {
  /** At most `limit` entries after `seq`, oldest first. */
  after(seq: number, limit: number): UserChange[];
  /** Deletes these entries (caught up with), in one transaction. */
  remove(seqs: readonly number[]): void;
}

interface ChangeRow {
  seq: number;
  org_id: string;
  user_id: string;
  kind: string;
  created_at: number;
  at: number;
}

export function createUserChangeLog(db: Database): UserChangeLog {
  const select = db.prepare<[number, number], ChangeRow>(
    `SELECT seq, org_id, user_id, kind, created_at, at FROM user_changes
     WHERE seq > ? ORDER BY seq LIMIT ?`,
  );
  const deleteOne = db.prepare('DELETE FROM user_changes WHERE seq = ?');
  // Each entry on its own: one whose catch-up failed stays between two that did not.
  const deleteAll = db.transaction((seqs: readonly number[]) => {
    for (const seq of seqs) deleteOne.run(seq);
  });

  return {
    after: (seq, limit) =>
      select.all(seq, limit).map((row) => ({
        seq: row.seq,
        org: row.org_id,
        user: row.user_id,
        // The table's CHECK admits only these.
        kind: row.kind as UserChangeKind,
        createdAt: row.created_at,
        at: row.at,
      })),
    remove: (seqs) => deleteAll(seqs),
  };
}
