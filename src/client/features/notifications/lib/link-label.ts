import { viewOf, type View } from '../../../lib/view-hash';
import { isAppView } from './safe-href';

/**
 * What a notification's link (a safeHref) is called: where it leads. Another site by its
 * host, as the URL parser reads it (`//evil.example/x` and `https://trusted@evil.example/`
 * both say evil.example; an internationalised name in its ASCII form, so look-alike letters
 * do not pass for another's); a view of this app by what it shows to the viewer (`isAdmin`:
 * the console's address opens Welcome for a member, app/view-location.ts).
 */
export function linkLabel(
  href: string,
  { isAdmin, page = window.location }: { isAdmin: boolean; page?: Location },
): string {
  const url = new URL(href);
  if (!isAppView(href, page)) return `Open link (${url.host})`;
  return `Open ${viewName(viewOf(url.hash), isAdmin) ?? 'link in Switchboard'}`;
}

// A view by what it shows; Welcome, and an address that names no view, by none.
function viewName(view: View, isAdmin: boolean): string | null {
  switch (view.name) {
    case 'room':
      return `#${view.room}`;
    case 'agent':
      return `agent ${view.agent}`;
    case 'agents':
      return 'Agents';
    case 'people':
      return 'People';
    case 'notifications':
      return 'Notifications';
    case 'admin':
      return isAdmin ? 'Admin' : null;
    case 'home':
    case 'not-found':
      return null;
  }
}
