import { create } from 'zustand';

// The app is one screen with a few views. The view lives here, and the address bar's hash
// follows it (view-location.ts), so a reload, a shared link and Back land on the same view.
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
  // so it can be corrected. `hash` is whatever was there (view-hash.ts).
  | { name: 'not-found'; hash: string };

/**
 * How the address bar follows a change of view: a new history entry, in place, or back:
 * the browser's Back when the entry before is that view (where one came from), so that
 * Back afterwards does not return to the view left; a new entry otherwise (one came from
 * elsewhere: a link, the address bar), so Back returns to the view left.
 */
export type HistoryMode = 'push' | 'replace' | 'back';

export const HOME_VIEW: View = { name: 'home' };

interface NavigationStore {
  view: View;
  historyMode: HistoryMode;
  navigate(view: View, historyMode?: HistoryMode): void;
  reset(): void;
}

export const useNavigationStore = create<NavigationStore>()((set) => ({
  view: HOME_VIEW,
  historyMode: 'push',
  navigate: (view, historyMode = 'push') => set({ view, historyMode }),
  // In place: signing out takes the view out of the address, and leaves no entry to go
  // Back to (view-location.ts keeps older entries from the next person).
  reset: () => set({ view: HOME_VIEW, historyMode: 'replace' }),
}));
