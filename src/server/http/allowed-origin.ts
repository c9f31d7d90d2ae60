// Which browser pages may open the MQTT WebSocket (a cross-site page could otherwise
// connect with a token it tricked out of the user). Used by the WebSocket upgrade.

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * @param origin the Origin header; absent for non-browser clients (mqtt.js in Node,
 *   mosquitto), which are allowed: the Origin check defends browsers, tokens the rest.
 * @param host the Host header of the upgrade request
 * @param allowedOrigins ALLOWED_ORIGINS, normalised; empty means same origin + localhost
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
  if (LOCAL_HOSTNAMES.has(url.hostname)) return true;
  return host !== undefined && url.host === host.toLowerCase();
}
