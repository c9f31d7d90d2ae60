// Browsers send Origin with every WebSocket upgrade; refusing foreign origins stops a page
// elsewhere from driving the broker with a signed-in user's cookies or stolen tokens.
// Non-browser MQTT clients send no Origin and authenticate with credentials alone.

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (allowed.length > 0) return allowed.includes(url.origin);
  if (host !== undefined && url.host === host) return true; // same origin as the page
  return LOCAL_HOSTS.has(url.hostname);
}
