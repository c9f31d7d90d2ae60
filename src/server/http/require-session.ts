import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Role } from '../../shared/acl';
import type { Config } from '../config';
import type { Storage } from '../storage';
import { ApiError } from './errors';
import { clearSessionCookie, sessionIdOf } from './session-cookie';

export interface AuthContext {
  org: string;
  user: string;
  role: Role;
  /** The cookie value: rate limits are per session. */
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireSession; null on routes that do not require it. */
    auth: AuthContext | null;
  }
}

/**
 * preHandler for signed-in routes. The user is looked up on every request, so removing
 * or disabling them takes effect at once, not when the session expires.
 */
export function requireSession(storage: Storage, config: Config): preHandlerAsyncHookHandler {
  return async function checkSession(request: FastifyRequest, reply: FastifyReply) {
    const sessionId = sessionIdOf(request, config);
    const session = sessionId ? storage.sessions.get(sessionId) : undefined;
    const user = session && storage.users.getUser(session.org, session.user);
    if (!sessionId || !user || user.disabled) {
      if (sessionId) clearSessionCookie(reply, request, config);
      throw new ApiError(401, 'not_signed_in', 'sign in first');
    }
    request.auth = { org: user.org, user: user.user, role: user.role, sessionId };
  };
}

/** The signed-in caller on a route guarded by requireSession. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new ApiError(401, 'not_signed_in', 'sign in first');
  return request.auth;
}
