import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { isSecureRequest } from './broker-origin';

/** The cookie's name over plain http (localhost, a LAN address). */
export const SESSION_COOKIE = 'sb_session';
/**
 * Its name over https. Browsers take a `__Host-` cookie only when it is Secure, has Path=/
 * and no Domain, so a sibling subdomain (SameSite calls it the same site) cannot set one
 * for this host and sign the browser in as someone else (login CSRF), as it could a
 * `sb_session` for the parent domain.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** The one name the session cookie has on this request's scheme. */
export function sessionCookieName(request: FastifyRequest, config: Config): string {
  return isSecureRequest(request, config) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/**
 * The session id the request carries, under the name its scheme gives the cookie only: over
 * https a plain `sb_session` (which anyone on a sibling subdomain may have set) is ignored.
 */
export function sessionIdOf(request: FastifyRequest, config: Config): string | undefined {
  return request.cookies[sessionCookieName(request, config)];
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  config: Config,
  sessionId: string,
): void {
  const secure = isSecureRequest(request, config);
  reply.setCookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, sessionId, {
    httpOnly: true, // no script, including an injected one, reads the session
    sameSite: 'strict', // never sent on cross-site requests: the CSRF defence
    path: '/', // and no domain: both required of a __Host- cookie
    secure,
    maxAge: config.sessionTtlSeconds,
  });
}

export function clearSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  config: Config,
): void {
  const secure = isSecureRequest(request, config);
  reply.clearCookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure,
  });
}
