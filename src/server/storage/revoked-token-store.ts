import type { Database } from 'better-sqlite3';

/** JWT ids refused until their token would have expired anyway. */
export interface RevokedTokenStore {
  /** `expiresAt` in ms since the epoch: the row can go once the token is dead by itself. */
  revoke(jti: string, expiresAt: number): void;
  /** Called on every token check: one prepared primary-key lookup. */
  isRevoked(jti: string): boolean;
  /** Deletes entries whose token expired before `now` (ms); returns how many. */
  prune(now: number): number;
}

export function createRevokedTokenStore(db: Database): RevokedTokenStore {
  // A second revoke keeps the later expiry: never shorten a refusal.
  const insert = db.prepare(
    `INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)
     ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
  );
  const select = db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM revoked_tokens WHERE jti = ?',
  );
  const deleteExpired = db.prepare('DELETE FROM revoked_tokens WHERE expires_at < ?');

  return {
    revoke(jti, expiresAt) {
      insert.run(jti, Math.trunc(expiresAt));
    },
    isRevoked: (jti) => select.get(jti) !== undefined,
    prune: (now) => deleteExpired.run(Math.trunc(now)).changes,
  };
}
