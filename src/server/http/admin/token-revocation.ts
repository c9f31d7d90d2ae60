import type { HttpDeps } from '../http-deps';

export interface Revocation {
  revoked: string[];
  /** Connections that were using the revoked tokens, closed at once. */
  disconnected: number;
}

/**
 * Refuses the tokens from now on (the broker checks on every CONNECT) and closes the
 * connections that authenticated with them: a revoked token must not keep a session open
 * until it expires.
 */
export function revokeTokens(
  deps: HttpDeps,
  org: string,
  tokens: { jti: string; expiresAt: number }[],
): Revocation {
  const now = Date.now();
  const jtis = new Set<string>();
  for (const { jti, expiresAt } of tokens) {
    deps.tokens.revoke(jti, expiresAt);
    deps.storage.issuedTokens.markRevoked(jti, now);
    jtis.add(jti);
  }
  const disconnected =
    jtis.size === 0
      ? 0
      : (deps.broker?.disconnect(
          (identity) => identity.org === org && identity.jti !== null && jtis.has(identity.jti),
        ) ?? 0);
  return { revoked: [...jtis], disconnected };
}

/**
 * The user's live tokens: those POST /api/token minted and recorded, and any other a live
 * connection authenticated with (minted before the inventory existed, or by a tool).
 */
export function liveTokensOf(
  deps: HttpDeps,
  org: string,
  user: string,
): { jti: string; expiresAt: number }[] {
  const byJti = new Map<string, number>();
  for (const token of deps.storage.issuedTokens.listLive(org, Date.now(), user)) {
    byJti.set(token.jti, token.expiresAt);
  }
  for (const identity of deps.broker?.connections() ?? []) {
    if (identity.org !== org || identity.user !== user) continue;
    if (identity.jti !== null && identity.expiresAt !== null)
      byJti.set(identity.jti, identity.expiresAt);
  }
  return [...byJti].map(([jti, expiresAt]) => ({ jti, expiresAt }));
}
