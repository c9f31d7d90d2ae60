import type { Database } from 'better-sqlite3';

/**
 * The client ids each user's connections used, with when each last connected: of a user
 * removed and created again, those connected since the new creation are the new user's
 * (users-seen.ts). Kept in the database so that a catch-up replayed at the next start
 * (external-changes.ts) still knows them.
 */
export interface ConnectionNotes {
  /** Notes a connection accepted: one prepared upsert, at every CONNECT. */
  note(org: string, user: string, clientId: string, connectedAt: number): void;
  /** The client ids of the user that connected at or after `since` (ms since the epoch). */
  clientIdsSince(org: string, user: string, since: number): Set<string>;
  /**
   * Deletes the notes of connections before `before` (ms since the epoch), but for users
   * with a removal still in the change log: its catch-up reads them. Returns how many.
   */
  prune(before: number): number;
}

export function createConnectionNotes(db: Database): ConnectionNotes {
  // A client id that connects again moves its time forward, never back.
  const upsert = db.prepare<[string, string, string, number]>(
    `INSERT INTO connection_notes (org_id, user_id, client_id, connected_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (org_id, user_id, client_id)
     DO UPDATE SET connected_at = max(connected_at, excluded.connected_at)`,
  );
  const select = db.prepare<[string, string, number], { client_id: string }>(
    `SELECT client_id FROM connection_notes
     WHERE org_id = ? AND user_id = ? AND connected_at >= ?`,
  );
  // By the connected_at index, then one lookup of user_changes_user for each old note.
  const deleteOld = db.prepare<[number]>(
    `DELETE FROM connection_notes WHERE connected_at < ? AND NOT EXISTS (
       SELECT 1 FROM user_changes c
       WHERE c.org_id = connection_notes.org_id AND c.user_id = connection_notes.user_id
         AND c.kind = 'removed')`,
  );

  return {
    note: (org, user, clientId, connectedAt) => void upsert.run(org, user, clientId, connectedAt),
    clientIdsSince: (org, user, since) =>
      new Set(select.all(org, user, since).map((row) => row.client_id)),
    prune: (before) => deleteOld.run(before).changes,
  };
}
