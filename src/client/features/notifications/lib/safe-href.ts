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

/**
 * Whether `href` (a safeHref) is a view of this app (`#/rooms/general` on this page): it
 * opens in place, as the app's own links do, rather than in a second copy of the app.
 */
export function isAppView(href: string, page: Location = window.location): boolean {
  const url = new URL(href);
  return url.origin === page.origin && url.pathname === page.pathname && url.hash.startsWith('#/');
}
