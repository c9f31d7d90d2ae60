import { create } from 'zustand';
import { HOME_VIEW, type View } from '../lib/view-hash';

// The view lives here, and the address bar's hash follows it (view-location.ts); what a
// view is, and its address, are lib/view-hash.ts's.
export { HOME_VIEW, type View } from '../lib/view-hash';

/**
 * How the address bar follows a change of view: a new history entry, in place, or back:
 * the browser's Back when the entry before is that view (where one came from), so that
 * Back afterwards does not return to the view left; a new entry otherwise (one came from
 * elsewhere: a link, the address bar), so Back returns to the view left.
 */
export type HistoryMode = 'push' | 'replace' | 'back';

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
