import type { Database } from 'better-sqlite3';

export interface IssuedToken {
  jti: string;
  org: string;
  user: string;
  clientId: string;
  /** ms since the epoch */
  issuedAt: number;
  /** ms since the epoch */
  expiresAt: number;
  /** ms since the epoch; null while the token is not revoked */
  revokedAt: number | null;
  /**
   * The sign-in session that minted it (SessionStore.keyOf); null when not known (minted
   * before this was recorded).
   */
  sessionKey: string | null;
}

/**
 * Every temporary broker token POST /api/token minted, so an admin can list the live ones
 * and revoke them. The refusal itself lives in the revoked-token store, which the broker
 * checks on every CONNECT; this one is the admin's inventory.
 */
export interface IssuedTokenStore {
  record(
    token: Omit<IssuedToken, 'revokedAt' | 'sessionKey'> & { sessionKey?: string | null },
  ): void;
  /** A token of `org` (live or not); undefined when unknown or another org's. */
  get(org: string, jti: string): IssuedToken | undefined;
  /** Not expired at `now` and not revoked, newest first; only `user`'s when given. */
  listLive(org: string, now: number, user?: string): IssuedToken[];
  /** As listLive, those the sign-in session with key `sessionKey` minted. */
  listLiveOfSession(org: string, sessionKey: string, now: number): IssuedToken[];
  /**
   * One live token the session with key `sessionKey` minted, whatever its org: whose
   * sign-in it was, once the session itself has expired (a key is a 256-bit hash).
   */
  anyLiveOfSession(sessionKey: string, now: number): IssuedToken | undefined;
  /**
   * The tokens the session with key `fromKey` minted count from now on as minted by the one
   * with key `toKey` (a sign-in that took over an earlier one of the same user, session.ts):
   * ending that one ends them. Returns how many live ones moved.
   */
  moveToSession(fromKey: string, toKey: string, now: number): number;
  /** Marks the token revoked at `at` (ms) unless it already was. */
  markRevoked(jti: string, at: number): void;
  /** Deletes tokens that expired before `now` (ms); returns how many. */
  prune(now: number): number;
}

interface TokenRow {
  jti: string;
  org_id: string;
  user_id: string;
  client_id: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  session_key: string | null;
}

const COLUMNS = 'jti, org_id, user_id, client_id, issued_at, expires_at, revoked_at, session_key';

function toToken(row: TokenRow): IssuedToken {
  return {
    jti: row.jti,
    org: row.org_id,
    user: row.user_id,
    clientId: row.client_id,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    sessionKey: row.session_key,
  };
}

export function createIssuedTokenStore(db: Database): IssuedTokenStore {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO issued_tokens
       (jti, org_id, user_id, client_id, issued_at, expires_at, session_key)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectOne = db.prepare<[string, string], TokenRow>(
    `SELECT ${COLUMNS} FROM issued_tokens WHERE org_id = ? AND jti = ?`,
  );
  const selectLive = db.prepare<[string, number], TokenRow>(
    `SELECT ${COLUMNS} FROM issued_tokens
     WHERE org_id = ? AND expires_at > ? AND revoked_at IS NULL
     ORDER BY issued_at DESC, jti`,
  );
  const selectLiveOfUser = db.prepare<[string, string, number], TokenRow>(
    `SELECT ${COLUMNS} FROM issued_tokens
     WHERE org_id = ? AND user_id = ? AND expires_at > ? AND revoked_at IS NULL
     ORDER BY issued_at DESC, jti`,
  );
  const selectLiveOfSession = db.prepare<[string, string, number], TokenRow>(
    `SELECT ${COLUMNS} FROM issued_tokens
     WHERE org_id = ? AND session_key = ? AND expires_at > ? AND revoked_at IS NULL
     ORDER BY issued_at DESC, jti`,
  );
  const selectAnyOfSession = db.prepare<[string, number], TokenRow>(
    `SELECT ${COLUMNS} FROM issued_tokens
     WHERE session_key = ? AND expires_at > ? AND revoked_at IS NULL LIMIT 1`,
  );
  // Live ones only: a revoked or expired token's sign-in stays the one that minted it.
  const updateSession = db.prepare(
    `UPDATE issued_tokens SET session_key = ?
     WHERE session_key = ? AND expires_at > ? AND revoked_at IS NULL`,
  );
  const updateRevoked = db.prepare(
    'UPDATE issued_tokens SET revoked_at = ? WHERE jti = ? AND revoked_at IS NULL',
  );
  const deleteExpired = db.prepare('DELETE FROM issued_tokens WHERE expires_at < ?');

  return {
    record({ jti, org, user, clientId, issuedAt, expiresAt, sessionKey = null }) {
      insert.run(jti, org, user, clientId, Math.trunc(issuedAt), Math.trunc(expiresAt), sessionKey);
    },
    get(org, jti) {
      const row = selectOne.get(org, jti);
      return row && toToken(row);
    },
    listLive(org, now, user) {
      const rows =
        user === undefined
          ? selectLive.all(org, Math.trunc(now))
          : selectLiveOfUser.all(org, user, Math.trunc(now));
      return rows.map(toToken);
    },
    listLiveOfSession: (org, sessionKey, now) =>
      selectLiveOfSession.all(org, sessionKey, Math.trunc(now)).map(toToken),
    anyLiveOfSession(sessionKey, now) {
      const row = selectAnyOfSession.get(sessionKey, Math.trunc(now));
      return row && toToken(row);
    },
    moveToSession: (fromKey, toKey, now) =>
      updateSession.run(toKey, fromKey, Math.trunc(now)).changes,
    markRevoked(jti, at) {
      updateRevoked.run(Math.trunc(at), jti);
    },
    prune: (now) => deleteExpired.run(Math.trunc(now)).changes,
  };
}
