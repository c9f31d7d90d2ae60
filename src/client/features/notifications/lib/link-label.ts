import { isValidId } from '../../../../shared/ids';
import { isAppView } from './safe-href';

/**
 * What a notification's link (a safeHref) is called: where it leads. Another site by its
 * host, as the URL parser reads it (`//evil.example/x` and `https://trusted@evil.example/`
 * both say evil.example; an internationalised name in its ASCII form, so look-alike letters
 * do not pass for another's); a view of this app by what it shows.
 */
export function linkLabel(href: string, page: Location = window.location): string {
  const url = new URL(href);
  if (!isAppView(href, page)) return `Open link (${url.host})`;
  return `Open ${viewName(url.hash) ?? 'link in Switchboard'}`;
}

// The views' addresses (app/view-hash.ts); what is not one of them is named by none.
const VIEWS = new Map([
  ['agents', 'Agents'],
  ['people', 'People'],
  ['notifications', 'Notifications'],
  ['admin', 'Admin'],
]);

function viewName(hash: string): string | null {
  const [first = '', second, ...rest] = hash.slice(2).split('/');
  if (rest.length > 0) return null;
  if (second === undefined) return VIEWS.get(first) ?? null;
  if (!isValidId(second)) return null;
  if (first === 'rooms') return `#${second}`;
  if (first === 'agents') return `agent ${second}`;
  if (first === 'admin') return 'Admin';
  return null;
}
