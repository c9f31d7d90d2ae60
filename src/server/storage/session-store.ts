import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export interface SessionRecord {
  org: string;
  user: string;
  /** ms since the epoch */
  expiresAt: number;
}

/** Sign-in sessions behind the `sb_session` cookie. */
export interface SessionStore {
  /** The returned id is the secret for the cookie; only its SHA-256 is kept. */
  create(org: string, user: string, ttlSeconds: number): { id: string; expiresAt: number };
  /** Undefined for an unknown or expired id. */
  get(id: string): SessionRecord | undefined;
  delete(id: string): void;
  /**
   * The key other records name a session by (the hash stored for it, never its id): an
   * issued token keeps the key of the session that minted it.
   */
  keyOf(id: string): string;
  /** Ends the session with this key (see keyOf); returns how many ended (0 or 1). */
  deleteByKey(key: string): number;
  /** Signs a user out everywhere (password change, disabled); returns how many. */
  deleteForUser(org: string, user: string): number;
  /** Deletes expired sessions; returns how many. */
  prune(): number;
}

// 256 bits: guessing a live session is not a realistic attack.
const SESSION_ID_BYTES = 32;

function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export function createSessionStore(db: Database, now: () => number): SessionStore {
  const insert = db.prepare(
    'INSERT INTO sessions (id_hash, org_id, user_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const select = db.prepare<
    [string, number],
    { org_id: string; user_id: string; expires_at: number }
  >('SELECT org_id, user_id, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?');
  const deleteOne = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const deleteUser = db.prepare('DELETE FROM sessions WHERE org_id = ? AND user_id = ?');
  const deleteExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');

  return {
    create(org, user, ttlSeconds) {
      const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
      const createdAt = now();
      const expiresAt = createdAt + ttlSeconds * 1_000;
      insert.run(hashId(id), org, user, expiresAt, createdAt);
      return { id, expiresAt };
    },
    get(id) {
      const row = select.get(hashId(id), now());
      return row && { org: row.org_id, user: row.user_id, expiresAt: row.expires_at };
    },
    delete(id) {
      deleteOne.run(hashId(id));
    },
    keyOf: hashId,
    deleteByKey: (key) => deleteOne.run(key).changes,
    deleteForUser: (org, user) => deleteUser.run(org, user).changes,
    prune: () => deleteExpired.run(now()).changes,
  };
}
