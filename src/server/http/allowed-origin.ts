// Which browser pages may open the MQTT WebSocket (a cross-site page could otherwise
// connect with a token it tricked out of the user) or send state-changing API requests
// (csrf-guard.ts). Without ALLOWED_ORIGINS, only the server's own origin: not every
// localhost port, since cookies ignore ports and any other local server's page would get
// the user's cookie sent along. Vite's dev server proxies with the page's Host, so its
// pages are same-origin too.

/**
 * @param origin the Origin header; absent for non-browser clients (mqtt.js in Node,
 *   mosquitto), which are allowed: the Origin check defends browsers, tokens the rest.
 * @param host the Host header of the upgrade request
 * @param allowedOrigins ALLOWED_ORIGINS, normalised; empty means the same origin only
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
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
  return host !== undefined && url.host === host.toLowerCase();
}
