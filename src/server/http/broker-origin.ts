import type { FastifyRequest } from 'fastify';
import type { Config } from '../config';

// `host[:port]`, IPv6 in brackets; anything else is not echoed back into a URL or a header.
const HOST_HEADER = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The request came over https: the server's own TLS, or a TRUST_PROXY proxy's
 * X-Forwarded-Proto (request.protocol believes no one else's; build-http-api.ts).
 */
export function isSecureRequest(request: FastifyRequest, config: Config): boolean {
  return config.tls !== null || request.protocol === 'https';
}

/**
 * Where a page this request loads reaches the broker's WebSocket: `wss://` or `ws://` and the
 * host it asked for (a trusted proxy's X-Forwarded-Host, else Host). POST /api/token names
 * it, and the Content-Security-Policy lets the page connect to it. Undefined when the Host
 * is not a host name.
 */
export function brokerOrigin(request: FastifyRequest, config: Config): string | undefined {
  const host = request.host;
  if (!HOST_HEADER.test(host)) return undefined;
  return `${isSecureRequest(request, config) ? 'wss' : 'ws'}://${host}`;
}

/** `https://a.io` → `wss://a.io`, `http://a.io:8080` → `ws://a.io:8080`. */
export function webSocketOriginOf(origin: string): string {
  return origin.replace(/^http/, 'ws');
}
