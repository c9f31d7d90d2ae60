import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';

export const SESSION_COOKIE = 'sb_session';

// Behind a TLS-terminating proxy, request.protocol is its X-Forwarded-Proto only when it is
// in TRUST_PROXY (build-http-api.ts); otherwise the cookie goes without Secure.
function isSecure(request: FastifyRequest, config: Config): boolean {
  return config.tls !== null || request.protocol === 'https';
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  config: Config,
  sessionId: string,
): void {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    httpOnly: true, // no script, including an injected one, reads the session
    sameSite: 'strict', // never sent on cross-site requests: the CSRF defence
    path: '/',
    secure: isSecure(request, config),
    maxAge: config.sessionTtlSeconds,
  });
}

export function clearSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  config: Config,
): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: isSecure(request, config),
  });
}
