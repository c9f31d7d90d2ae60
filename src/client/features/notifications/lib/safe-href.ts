// A notification's link comes from whoever published it: only http(s) and same-origin
// paths become links, never javascript: or data: URLs.
export function safeHref(
  link: string | undefined,
  origin: string = window.location.origin,
): string | null {
  if (!link) return null;
  try {
    const url = new URL(link, origin);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}
