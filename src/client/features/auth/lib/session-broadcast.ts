import { onOtherTabs, tellOtherTabs, type TabMessage } from '../../../lib/other-tabs';

// Tells this browser's other tabs that the sign-in changed in this one (lib/other-tabs.ts).
// They share its session cookie: a sign-out here ended their sign-in too (the server closed
// their broker connections with it), and a sign-in here is theirs as well. Each then asks
// the server for the session at once, rather than at its next focus or poll, and follows
// the answer.

export const SESSION_CHANNEL = 'switchboard:session';

export type SessionChange = 'signed-in' | 'signed-out';

/** What goes over the channel. */
export type SessionMessage = TabMessage<{ change: SessionChange }>;

/** Tells the other tabs. */
export function tellOtherTabsOf(change: SessionChange): void {
  tellOtherTabs(SESSION_CHANNEL, { change });
}

/** Hears what other tabs tell (tellOtherTabsOf); returns the function that stops it. */
export function onOtherTabsChange(listener: (change: SessionChange) => void): () => void {
  return onOtherTabs(SESSION_CHANNEL, ({ change }) => {
    if (change === 'signed-in' || change === 'signed-out') listener(change);
  });
}
