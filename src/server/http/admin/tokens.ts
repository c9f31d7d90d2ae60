import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';
import type { HttpDeps } from '../http-deps';
import { refuseFields } from '../parse-body';
import { authOf } from '../require-session';
import { endThenMarkOffline, revokeWithSession, signOutUser } from '../token-revocation';
import { optionalString } from './query-params';
import { findUser, refuseSelf } from './target-user';

export function tokenRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { storage } = deps;

  // Live = not expired and not revoked; newest first.
  app.get<{ Querystring: Record<string, unknown> }>('/tokens', async (request) => {
    const { org, sessionId } = authOf(request);
    const user = optionalString(request.query.user, 'user');
    // Its tokens cannot be revoked from here (below): the console says so before asking.
    const ownSessionKey = storage.sessions.keyOf(sessionId);
    const inUse = new Map<string, number>();
    for (const identity of deps.broker?.connections() ?? []) {
      if (identity.org === org && identity.jti !== null)
        inUse.set(identity.jti, (inUse.get(identity.jti) ?? 0) + 1);
    }
    return {
      tokens: storage.issuedTokens.listLive(org, Date.now(), user).map((token) => ({
        jti: token.jti,
        user: token.user,
        clientId: token.clientId,
        issuedAt: token.issuedAt,
        expiresAt: token.expiresAt,
        connections: inUse.get(token.jti) ?? 0,
        currentSignIn: token.sessionKey !== null && token.sessionKey === ownSessionKey,
      })),
    };
  });

  app.post<{ Params: { jti: string } }>('/tokens/:jti/revoke', async (request) => {
    refuseFields(request.body);
    const auth = authOf(request);
    const { jti } = request.params;
    const issued = storage.issuedTokens.get(auth.org, jti);
    // Also a token this server did not record but a connection of the org is using.
    const using = issued
      ? undefined
      : deps.broker?.connections().find((id) => id.org === auth.org && id.jti === jti);
    const expiresAt = issued?.expiresAt ?? using?.expiresAt;
    const user = issued?.user ?? using?.user;
    if (expiresAt === undefined || expiresAt === null || user === undefined) {
      throw new ApiError(404, 'token_not_found', 'no such token in this org');
    }
    // A stale list or an old audit link: revoked again, it ended the sign-in that minted it,
    // and so that user's app, for a token that could do nothing any more.
    if (issued && (issued.revokedAt !== null || issued.expiresAt <= Date.now())) {
      throw new ApiError(409, 'token_not_live', 'this token has already expired or been revoked');
    }
    // The caller's own sign-in would end with it, mid-request. Their other sign-ins' tokens
    // (a lost phone's) may go: this one stays signed in.
    const sessionKey = issued?.sessionKey ?? null;
    if (sessionKey !== null && sessionKey === storage.sessions.keyOf(auth.sessionId)) {
      throw new ApiError(
        409,
        'cannot_modify_self',
        'you cannot revoke a token of the sign-in you are using; it would sign you out',
      );
    }
    const result = await endThenMarkOffline(deps, auth.org, user, () =>
      revokeWithSession(deps, auth.org, { jti, expiresAt, sessionKey }),
    );
    storage.audit.record(auth.org, {
      actor: auth.user,
      action: 'token.revoke',
      target: jti,
      detail: {
        user: issued?.user,
        disconnected: result.disconnected,
        signedOut: result.signedOut,
        // Those of the same sign-in, revoked with it.
        alsoRevoked: result.revoked.filter((other) => other !== jti),
      },
    });
    return result;
  });

  app.post<{ Params: { user: string } }>('/users/:user/revoke-tokens', async (request) => {
    refuseFields(request.body);
    const auth = authOf(request);
    const record = findUser(storage, auth.org, request.params.user);
    // It would end the caller's own sign-in with the others.
    refuseSelf(auth, record.user, 'revoke the tokens of');
    const result = await endThenMarkOffline(deps, auth.org, record.user, () =>
      signOutUser(deps, auth.org, record.user),
    );
    storage.audit.record(auth.org, {
      actor: auth.user,
      action: 'user.revoke_tokens',
      target: record.user,
      detail: {
        revoked: result.revoked.length,
        disconnected: result.disconnected,
        signedOut: result.signedOut,
      },
    });
    return result;
  });
}
