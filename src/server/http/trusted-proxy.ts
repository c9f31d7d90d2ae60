import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from '@fastify/proxy-addr';

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
 * `.host` and `.protocol` with the same `trustProxy` (fastify/lib/request.js): the address
 * from X-Forwarded-For as far back as the proxies are trusted; host and scheme from the
 * last X-Forwarded-Host and -Proto, only when the socket's peer is a trusted proxy.
 */
export function clientView(request: IncomingMessage, trust: TrustProxy | null): ClientView {
  const socket = request.socket as Partial<TLSSocket>;
  const ownProtocol = socket.encrypted === true ? 'https' : 'http';
  const host = request.headers.host ?? '';
  const peer = socket.remoteAddress;
  if (trust === null || peer === undefined || !trust(peer, 0)) {
    return { address: peer ?? 'unknown', host, protocol: ownProtocol };
  }
  const forwardedHost = lastEntry(request.headers['x-forwarded-host']);
  const forwardedProto = lastEntry(request.headers['x-forwarded-proto']);
  return {
    address: proxyAddr(request, trust),
    host: forwardedHost ?? host,
    protocol: schemeOf(forwardedProto) ?? ownProtocol,
  };
}

/** Some proxies (Traefik) say `wss` or `ws` for an upgrade: the same schemes as https, http. */
function schemeOf(forwardedProto: string | undefined): string | undefined {
  const scheme = forwardedProto?.toLowerCase();
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
