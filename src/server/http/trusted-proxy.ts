import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { TLSSocket } from 'node:tls';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyInstance } from 'fastify';

// Behind a TLS-terminating proxy every connection comes from the proxy, over plain http.
// TRUST_PROXY names the proxies whose X-Forwarded-For, -Proto and -Host say who the client
// is, how it reached the proxy and which host it asked for; anyone else's are ignored, or
// a client could choose its own address (and so its own sign-in throttle).

/** Whether `address`, `hop` proxies back from the server (0: the socket's peer), is trusted. */
export type TrustProxy = (address: string, hop: number) => boolean;

/** The rule Fastify is given as `trustProxy` and the MQTT WebSocket upgrades follow; null: none. */
export function trustedProxies(entries: readonly string[]): TrustProxy | null {
  return entries.length === 0 ? null : proxyAddr.compile([...entries]);
}

/** Who sent a request, and which origin it was sent to, as the client saw them. */
export interface ClientView {
  /** The nearest address that is not a trusted proxy: the socket's peer if that is not one. */
  address: string;
  /** The Host the client asked for; '' when there is none. */
  host: string;
  /** 'https' or 'http', or as a trusted proxy's X-Forwarded-Proto spells it. */
  protocol: string;
}

/**
 * A raw request (an upgrade, which Fastify never sees) read as Fastify reads `request.ip`,
 * `.host` and `.protocol` with the same `trustProxy` (fastify/lib/request.js) once
 * registerForwardedHeaders has made its X-Forwarded-For and -Proto plain: the address from
 * X-Forwarded-For as far back as the proxies are trusted; host and scheme from the last
 * X-Forwarded-Host and -Proto, only when the socket's peer is a trusted proxy.
 */
export function clientView(request: IncomingMessage, trust: TrustProxy | null): ClientView {
  const socket = request.socket as Partial<TLSSocket>;
  const ownProtocol = socket.encrypted === true ? 'https' : 'http';
  const host = request.headers.host ?? '';
  const peer = socket.remoteAddress;
  if (trust === null || peer === undefined || !trust(peer, 0)) {
    return { address: peer ?? 'unknown', host, protocol: ownProtocol };
  }
  // A copy: the upgrade's own headers stay as they came.
  const headers = { ...request.headers };
  plainForwardedHeaders(headers);
  const forwardedHost = lastEntry(headers['x-forwarded-host']);
  const forwardedProto = lastEntry(headers['x-forwarded-proto']);
  return {
    address: proxyAddr({ headers, socket: request.socket } as IncomingMessage, trust),
    host: forwardedHost ?? host,
    protocol: forwardedProto ?? ownProtocol,
  };
}

/**
 * Makes Fastify's `request.ip` and `.protocol` what clientView says of an upgrade: a first
 * hook rewrites each request's X-Forwarded-For and -Proto plain (plainForwardedHeaders)
 * before Fastify, the CSRF guard or a rate limit reads them. Fastify reads them only from
 * a trusted proxy (its `trustProxy`); from anyone else they stay ignored, rewritten or not.
 */
export function registerForwardedHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    plainForwardedHeaders(request.raw.headers);
    done();
  });
}

/**
 * Rewrites X-Forwarded-For and -Proto, in place, as this server reads them:
 * - each X-Forwarded-For entry as its bare address: Azure's Application Gateway (among
 *   others) adds the client's port, `203.0.113.7:51234` or `[2001:db8::1]:443`, and taken as
 *   it is, that would be a new address (so a fresh sign-in throttle) for every connection,
 *   and a proxy named with its port would not be recognised as trusted;
 * - each X-Forwarded-Proto entry lower case, and `wss`, `ws` (Traefik, on upgrades) as the
 *   same schemes https, http: `HTTPS` is https for the cookie's Secure flag and the origin
 *   check.
 * Anything else (`unknown`, an RFC 7239 obfuscated name) is left as it is.
 */
export function plainForwardedHeaders(headers: IncomingHttpHeaders): void {
  const forwardedFor = headers['x-forwarded-for'];
  if (typeof forwardedFor === 'string') {
    headers['x-forwarded-for'] = mapEntries(forwardedFor, bareAddress);
  }
  const forwardedProto = headers['x-forwarded-proto'];
  if (typeof forwardedProto === 'string') {
    headers['x-forwarded-proto'] = mapEntries(forwardedProto, schemeOf);
  }
}

function mapEntries(header: string, map: (entry: string) => string): string {
  return header
    .split(',')
    .map((entry) => map(entry.trim()))
    .join(', ');
}

/** `203.0.113.7:51234` → `203.0.113.7`; `[2001:db8::1]:443` and `[2001:db8::1]` → `2001:db8::1`. */
export function bareAddress(entry: string): string {
  // A bare IPv6 address has colons too: only the bracketed form carries a port.
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed) {
    const inside = bracketed[1] ?? '';
    return isIPv6(inside) ? inside : entry;
  }
  const withPort = /^([^:]+):\d{1,5}$/.exec(entry);
  if (withPort) {
    const host = withPort[1] ?? '';
    return isIPv4(host) ? host : entry;
  }
  return entry;
}

/** Some proxies (Traefik) say `wss` or `ws` for an upgrade: the same schemes as https, http. */
function schemeOf(forwardedProto: string): string {
  const scheme = forwardedProto.toLowerCase();
  if (scheme === 'wss') return 'https';
  if (scheme === 'ws') return 'http';
  return scheme;
}

/** A header sent more than once (or by a chain of proxies): the nearest proxy's is last. */
function lastEntry(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(',') : header;
  const last = joined?.split(',').at(-1)?.trim();
  return last === '' ? undefined : last;
}
