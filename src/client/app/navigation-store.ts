import { create } from 'zustand';
import { HOME_VIEW, type View } from '../lib/view-hash';

// The view lives here, and the address bar's hash follows it (view-location.ts); what a
// view is, and its address, are lib/view-hash.ts's.
export { HOME_VIEW, type View } from '../lib/view-hash';

/**
 * How the address bar follows a change of view: a new history entry, in place, or back:
 * the browser's Back when the entry before is that view (where one came from), so that
 * Back afterwards does not return to the view left; a new entry otherwise (one came from
 * elsewhere: a link, the address bar), so Back returns to the view left. Or not at all
 * ('keep'): the workspace left without a sign-out leaves its view's address, to open again
 * when the same person signs back in.
 */
export type HistoryMode = 'push' | 'replace' | 'back' | 'keep';

interface NavigationStore {
  view: View;
  historyMode: HistoryMode;
  navigate(view: View, historyMode?: HistoryMode): void;
  reset(): void;
  leave(): void;
}

export const useNavigationStore = create<NavigationStore>()((set) => ({
  view: HOME_VIEW,
  historyMode: 'push',
  navigate: (view, historyMode = 'push') => set({ view, historyMode }),
  // In place: signing out takes the view out of the address, and leaves no entry to go
  // Back to (view-location.ts keeps older entries from the next person).
  reset: () => set({ view: HOME_VIEW, historyMode: 'replace' }),
  // A sign-in ended without a sign-out here: the address stays, for whoever signs in next
  // to open if it is theirs (view-location.ts: the entry carries the sign-in's token).
  leave: () => set({ view: HOME_VIEW, historyMode: 'keep' }),
}));
