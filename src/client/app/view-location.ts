import { useEffect } from 'react';
import { useNavigationStore, HOME_VIEW, type HistoryMode, type View } from './navigation-store';
import { signInToken } from './sign-in-token';
import { hashOf, viewOf } from './view-hash';

// The store stays the source of truth: a view change writes the hash (a new history entry,
// or in place), and a hash the person changed (Back, Forward, a link, the address bar) is
// read back into the store.
//
// Each entry written carries this sign-in's token (sign-in-token.ts), never the account.
// Signing out removes the hash from the current entry, but Back still reaches the earlier
// entries (the History API can neither remove nor rewrite an entry other than the current
// one), and a view found on one is not shown to the next person signing in this tab: they
// start at Welcome instead.
const TOKEN_KEY = 'switchboardSignIn';

function tokenOf(entryState: unknown): string | null {
  if (typeof entryState !== 'object' || entryState === null) return null;
  const token: unknown = (entryState as Record<string, unknown>)[TOKEN_KEY];
  return typeof token === 'string' ? token : null;
}

export interface ViewOwner {
  /** This sign-in's token, written on every entry. */
  token: string;
  /** Members have no admin console: an address naming it is Welcome, and is dropped. */
  isAdmin: boolean;
}

/** Keeps the view of `owner` and the location in step, until the returned function runs. */
export function syncViewWithLocation(
  { token, isAdmin }: ViewOwner,
  win: Window = window,
): () => void {
  const store = useNavigationStore;
  const entryState = { [TOKEN_KEY]: token };

  const write = (view: View, mode: HistoryMode) => {
    const hash = hashOf(view);
    const same = hash === win.location.hash;
    if (same && tokenOf(win.history.state) === token) return;
    // Welcome has no hash at all, not a bare `#`.
    const url = hash === '' ? win.location.pathname + win.location.search : hash;
    try {
      if (mode === 'push' && !same) win.history.pushState(entryState, '', url);
      else win.history.replaceState(entryState, '', url);
    } catch {
      // Safari throws past 100 writes in 30 s. The view is shown all the same, only the
      // address lags; and a throw here would stop the store's other listeners.
    }
  };

  const adopt = () => {
    const owner = tokenOf(win.history.state);
    const named = owner === null || owner === token ? viewOf(win.location.hash) : HOME_VIEW;
    const view = named.name === 'admin' && !isAdmin ? HOME_VIEW : named;
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
export function useViewInLocation(account: string, isAdmin: boolean): void {
  useEffect(
    () => syncViewWithLocation({ token: signInToken(account), isAdmin }),
    [account, isAdmin],
  );
}
