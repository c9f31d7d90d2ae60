// Which browser pages may open the MQTT WebSocket (a cross-site page could otherwise
// connect with a token it tricked out of the user) or send state-changing API requests
// (csrf-guard.ts). Without ALLOWED_ORIGINS, only the server's own origin: not every
// localhost port, since cookies ignore ports and any other local server's page would get
// the user's cookie sent along. Vite's dev server proxies with the page's Host, so its
// pages are same-origin too; so does a reverse proxy that passes the Host on, or one in
// TRUST_PROXY that says X-Forwarded-Host.

/** The origin a request was sent to, as its client saw it (through a trusted proxy). */
export interface RequestedOrigin {
  /** The Host header, or a trusted proxy's X-Forwarded-Host; '' or undefined when none. */
  host: string | undefined;
  /** 'https' or 'http', or a trusted proxy's X-Forwarded-Proto. */
  protocol: string | undefined;
}

/**
 * @param origin the Origin header; absent for non-browser clients (mqtt.js in Node,
 *   mosquitto), which are allowed: the Origin check defends browsers, tokens the rest.
 * @param requested the server's own origin as the request names it (trusted-proxy.ts)
 * @param allowedOrigins ALLOWED_ORIGINS, normalised; empty means the same origin only
 */
export function isOriginAllowed(
  origin: string | undefined,
  requested: RequestedOrigin,
  allowedOrigins: readonly string[],
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null" (sandboxed frames, file://)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowedOrigins.length > 0) return allowedOrigins.includes(url.origin);
  const { host, protocol } = requested;
  if (!host || url.host !== host.toLowerCase()) return false;
  // Plain http may be a TLS-terminating proxy's leg that is not trusted, so says nothing of
  // the page's scheme; https (the server's own TLS, or a trusted proxy's word) does: a
  // plain-http page of the same host is then another origin, open to whoever is on its path.
  return protocol !== 'https' || url.protocol === 'https:';
}
