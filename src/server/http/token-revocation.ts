import type { HttpDeps } from './http-deps';

// Ending sign-ins and the broker tokens they got: the person's own sign-out (session.ts) and
// the admin console's revocations (admin/tokens.ts, admin/users.ts) end them alike.

/** A token to revoke: refused until it would have expired anyway. */
export interface TokenRef {
  jti: string;
  expiresAt: number;
}

export interface Revocation {
  revoked: string[];
  /** Connections that were using the revoked tokens, closed at once. */
  disconnected: number;
}

/**
 * Refuses the tokens from now on (the broker checks on every CONNECT) and closes the
 * connections that authenticated with them: a revoked token must not keep a session open
 * until it expires. Closed, not ended cleanly: their Last Wills say they went.
 */
export function revokeTokens(deps: HttpDeps, org: string, tokens: TokenRef[]): Revocation {
  const now = Date.now();
  const jtis = new Set<string>();
  for (const { jti, expiresAt } of tokens) {
    if (jtis.has(jti)) continue;
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

/** A revocation that also ended sign-in sessions. */
export interface SignOut extends Revocation {
  /** Sign-in sessions ended: the app gets no new token from them. */
  signedOut: number;
}

/**
 * Ends one sign-in: its session (by SessionStore.keyOf), and every live token it minted,
 * closing the connections using them: the browser's other tabs, and the token a renewal
 * replaced. Those share the session's cookie: left live, they would keep its tabs connected
 * for up to a token's lifetime after the sign-in ended, with no password asked. `also`:
 * more tokens to revoke with them.
 * The session first: a token being minted meanwhile is refused once its session is gone
 * (token.ts), and one recorded before is among the live tokens revoked here.
 */
export function endSignIn(
  deps: HttpDeps,
  org: string,
  sessionKey: string,
  also: TokenRef[] = [],
): SignOut {
  const signedOut = deps.storage.sessions.deleteByKey(sessionKey);
  const minted = deps.storage.issuedTokens.listLiveOfSession(org, sessionKey, Date.now());
  return { ...revokeTokens(deps, org, [...also, ...minted]), signedOut };
}

/**
 * Signs the user out of the app everywhere: their sign-in sessions end, and every live
 * token of theirs is revoked (closing the connections using it). Revoking alone left the
 * app signed in: it fetched a fresh token from its session and was back within a second.
 * Sessions first, as in endSignIn.
 */
export function signOutUser(deps: HttpDeps, org: string, user: string): SignOut {
  const signedOut = deps.storage.sessions.deleteForUser(org, user);
  return { ...revokeTokens(deps, org, liveTokensOf(deps, org, user)), signedOut };
}

/**
 * Revokes one token and ends the sign-in session that minted it (endSignIn), when that is
 * known; tokens minted before it was recorded are revoked alone.
 */
export function revokeWithSession(
  deps: HttpDeps,
  org: string,
  token: TokenRef & { sessionKey: string | null },
): SignOut {
  const { jti, expiresAt, sessionKey } = token;
  if (sessionKey === null) return { ...revokeTokens(deps, org, [token]), signedOut: 0 };
  return endSignIn(deps, org, sessionKey, [{ jti, expiresAt }]);
}

/**
 * What the broker does after a change is stored: the change stands whatever happens there,
 * so a failure is logged and undefined returned (an audit then records no count).
 */
export async function brokerEffect(
  deps: HttpDeps,
  what: string,
  org: string,
  user: string,
  effect: (admin: NonNullable<HttpDeps['broker']>['admin']) => Promise<number>,
): Promise<number | undefined> {
  if (!deps.broker) return 0;
  try {
    return await effect(deps.broker.admin);
  } catch (err) {
    deps.logger.error(
      { event: 'broker_effect_failed', what, org, user, err },
      'a change stored but not applied to the broker',
    );
    return undefined;
  }
}

/**
 * Ends sign-ins or revokes tokens of `user` (`end`: endSignIn, signOutUser,
 * revokeWithSession), then, if any token was revoked, says offline for their presences left
 * online with no connection (BrokerAdmin.markOffline). A tab caught renewing its token (its
 * old client ended cleanly, so without its will; the new token revoked before it connected)
 * has nothing left to say offline with.
 */
export async function endThenMarkOffline<T extends Revocation>(
  deps: HttpDeps,
  org: string,
  user: string,
  end: () => T,
): Promise<T> {
  const result = end();
  if (result.revoked.length > 0) {
    await brokerEffect(deps, 'mark_offline', org, user, (admin) => admin.markOffline(org, user));
  }
  return result;
}

/**
 * The user's live tokens: those POST /api/token minted and recorded, and any other a live
 * connection authenticated with (minted before the inventory existed, or by a tool).
 */
export function liveTokensOf(deps: HttpDeps, org: string, user: string): TokenRef[] {
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
