// The token names the broker URL; a page served over https must use wss (browsers block
// mixed content), and a relative URL is resolved against the page.
export function resolveBrokerUrl(url: string, page: Pick<Location, 'href' | 'protocol'>): string {
  const resolved = new URL(url, page.href.replace(/^http/, 'ws'));
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  if (page.protocol === 'https:' && resolved.protocol === 'ws:') resolved.protocol = 'wss:';
  return resolved.toString();
}
