import { useEffect } from 'react';
import { useNavigationStore, HOME_VIEW, type HistoryMode, type View } from './navigation-store';
import { hashOf, viewOf } from './view-hash';

// The store stays the source of truth: a view change writes the hash (a new history entry,
// or in place), and a hash the person changed (Back, Forward, a link, the address bar) is
// read back into the store.
//
// Each entry written says whose it is. Signing out removes the hash from the current entry,
// but Back still reaches the previous person's entries, and a view found there is not
// shown to the next person signing in this tab: they start at Welcome instead.
const ACCOUNT_KEY = 'switchboardAccount';

function ownerOf(entryState: unknown): string | null {
  if (typeof entryState !== 'object' || entryState === null) return null;
  const owner: unknown = (entryState as Record<string, unknown>)[ACCOUNT_KEY];
  return typeof owner === 'string' ? owner : null;
}

/** Keeps the view of `account` and the location in step, until the returned function runs. */
export function syncViewWithLocation(account: string, win: Window = window): () => void {
  const store = useNavigationStore;
  const entryState = { [ACCOUNT_KEY]: account };

  const write = (view: View, mode: HistoryMode) => {
    const hash = hashOf(view);
    const same = hash === win.location.hash;
    if (same && ownerOf(win.history.state) === account) return;
    // Welcome has no hash at all, not a bare `#`.
    const url = hash === '' ? win.location.pathname + win.location.search : hash;
    if (mode === 'push' && !same) win.history.pushState(entryState, '', url);
    else win.history.replaceState(entryState, '', url);
  };

  const adopt = () => {
    const owner = ownerOf(win.history.state);
    const view = owner === null || owner === account ? viewOf(win.location.hash) : HOME_VIEW;
    const { view: shown, navigate } = store.getState();
    if (hashOf(view) !== hashOf(shown)) navigate(view, 'replace');
    // The address bar shows the view's own form: none at all for a hash that named nothing.
    write(view, 'replace');
  };

  adopt();
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.view !== previous.view) write(state.view, state.historyMode);
  });
  // Back and Forward fire popstate; a hash typed or followed fires both (adopt is idempotent).
  win.addEventListener('popstate', adopt);
  win.addEventListener('hashchange', adopt);
  return () => {
    unsubscribe();
    win.removeEventListener('popstate', adopt);
    win.removeEventListener('hashchange', adopt);
  };
}

/** The signed-in workspace's view in the address bar (see syncViewWithLocation). */
export function useViewInLocation(account: string): void {
  useEffect(() => syncViewWithLocation(account), [account]);
}
