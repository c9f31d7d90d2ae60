import { isValidId } from '../../shared/ids';

// Views as location hashes (`#/rooms/general`): the server serves the same index.html for
// every one, and a hash never reaches it (nor its logs, nor a Referer). The one reader of
// these addresses: the app's navigation (app/view-location.ts) and whatever names a link
// to a view (a notification's, features/notifications/lib/link-label.ts).

// The app is one screen with a few views; the address bar's hash names the one shown, so
// a reload, a shared link and Back land on the same view.
export type View =
  | { name: 'home' }
  | { name: 'room'; room: string }
  | { name: 'people' }
  | { name: 'agents' }
  | { name: 'agent'; agent: string }
  | { name: 'notifications' }
  // The section is whatever the address said (checked by the console, which owns the list:
  // members never download it); none opens the console's first section.
  | { name: 'admin'; section?: string }
  // An address that names no view (a typo, a mangled link): said so, and left as it was,
  // so it can be corrected. `hash` is whatever was there.
  | { name: 'not-found'; hash: string };

export const HOME_VIEW: View = { name: 'home' };

// The longest hash a view has is `#/agents/` and a 64-character id; anything much longer
// is not one of ours, and is not worth splitting.
const MAX_VIEW_HASH_LENGTH = 128;

/** The hash that shows `view`; the Welcome view has none. */
export function hashOf(view: View): string {
  switch (view.name) {
    case 'home':
      return '';
    case 'room':
      return `#/rooms/${encodeURIComponent(view.room)}`;
    case 'people':
      return '#/people';
    case 'agents':
      return '#/agents';
    case 'agent':
      return `#/agents/${encodeURIComponent(view.agent)}`;
    case 'notifications':
      return '#/notifications';
    case 'admin':
      return view.section === undefined ? '#/admin' : `#/admin/${encodeURIComponent(view.section)}`;
    case 'not-found':
      return view.hash;
  }
}

/**
 * The view a hash names: Welcome for none at all, "not found" for anything else. The hash
 * is whatever someone typed or linked: ids must be valid ids (no `__proto__`, no markup,
 * nothing encoded), and what is not one is kept only to be shown back, as text.
 */
export function viewOf(hash: string): View {
  if (hash === '' || hash === '#') return HOME_VIEW;
  return namedView(hash) ?? { name: 'not-found', hash };
}

function namedView(hash: string): View | null {
  if (hash.length > MAX_VIEW_HASH_LENGTH || !hash.startsWith('#/')) return null;
  const [first, second, ...rest] = hash.slice(2).split('/');
  if (rest.length > 0) return null;
  const id = second !== undefined && isValidId(second) ? second : null;
  switch (first) {
    case 'rooms':
      return id === null ? null : { name: 'room', room: id };
    case 'agents':
      if (second === undefined) return { name: 'agents' };
      return id === null ? null : { name: 'agent', agent: id };
    case 'people':
      return second === undefined ? { name: 'people' } : null;
    case 'notifications':
      return second === undefined ? { name: 'notifications' } : null;
    case 'admin':
      if (second === undefined) return { name: 'admin' };
      return id === null ? null : { name: 'admin', section: id };
    default:
      return null;
  }
}
