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
// start at Welcome instead. A sign-in that ends otherwise (refused, expired, the account
// disabled) leaves the address and the token as they were: the same person signing back
// in gets the same token (sign-in-token.ts), and is back in the view they were in.
const TOKEN_KEY = 'switchboardSignIn';
// And the hash of the entry before it, when that was this sign-in's too: going "back" to
// a view is the browser's Back when it is the view one came from (HistoryMode 'back').
const PREVIOUS_KEY = 'switchboardPrevious';

function fieldOf(entryState: unknown, key: string): string | null {
  if (typeof entryState !== 'object' || entryState === null) return null;
  const value: unknown = (entryState as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : null;
}

const tokenOf = (entryState: unknown) => fieldOf(entryState, TOKEN_KEY);

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
  const entryState = (previous: string | null) =>
    previous === null ? { [TOKEN_KEY]: token } : { [TOKEN_KEY]: token, [PREVIOUS_KEY]: previous };

  const write = (view: View, mode: HistoryMode) => {
    if (mode === 'keep') return;
    const hash = hashOf(view);
    const same = hash === win.location.hash;
    const ours = tokenOf(win.history.state) === token;
    if (same && ours) return;
    // The entry before shows `view` already: returning to it adds nothing to go Forward
    // past, nor a way Back to the view left. popstate then adopts it, already shown.
    const previous = ours ? fieldOf(win.history.state, PREVIOUS_KEY) : null;
    if (mode === 'back' && previous === hash) {
      win.history.back();
      return;
    }
    // Welcome has no hash at all, not a bare `#`.
    const url = hash === '' ? win.location.pathname + win.location.search : hash;
    try {
      // The entry left is always this sign-in's: adopt() has made it so.
      // Not where one came from: a new entry, so Back returns to the view left.
      if ((mode === 'push' || mode === 'back') && !same) {
        win.history.pushState(entryState(win.location.hash), '', url);
      } else {
        win.history.replaceState(entryState(previous), '', url); // the entry before stays
      }
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
    // The address bar shows the view's own form (none at all for Welcome); one that names
    // no view stays as it was, under "not found", to be corrected.
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
