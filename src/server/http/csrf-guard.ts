import type { FastifyInstance } from 'fastify';
import { isOriginAllowed } from './allowed-origin';
import { ApiError } from './errors';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Methods that change nothing here, so no page can abuse them with the user's cookie. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/**
 * CSRF defence in depth. The cookie is SameSite=Strict, which stops other sites but not
 * another origin of the same site (a sibling subdomain, another port of the host). So a
 * state-changing request that a browser says comes from a page of another origin is
 * refused (`allowedOrigins` as for the MQTT WebSocket: ALLOWED_ORIGINS, or else the
 * server's own origin only); and it must say JSON, which an HTML form or a no-cors fetch
 * cannot, while a fetch with JSON needs a CORS preflight this server never grants.
 *
 * Whatever the path: the router decodes it, so `/%61pi/…` reaches the `/api/…` routes,
 * and a check by prefix would let it through (found in review, 2026-12-05).
 */
export function registerCsrfGuard(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    // Fastify's host and protocol: a trusted proxy's X-Forwarded-Host and -Proto, if any.
    const requested = { host: request.host, protocol: request.protocol };
    if (!isOriginAllowed(request.headers.origin, requested, allowedOrigins)) {
      throw new ApiError(403, 'origin_not_allowed', 'requests from this origin are not allowed');
    }
    const hasBody =
      request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
    const needsJson =
      BODY_METHODS.has(request.method) ||
      hasBody ||
      request.headers['transfer-encoding'] !== undefined;
    if (needsJson && !isJson(request.headers['content-type'])) {
      throw new ApiError(
        415,
        'unsupported_media_type',
        'send the request body as application/json',
      );
    }
  });
}
