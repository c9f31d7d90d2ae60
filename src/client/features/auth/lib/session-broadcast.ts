// Tells this browser's other tabs that the sign-in changed in this one. They share its
// session cookie: a sign-out here ended their sign-in too (the server closed their broker
// connections with it), and a sign-in here is theirs as well. Each then asks the server for
// the session at once, rather than at its next focus or poll, and follows the answer.
//
// BroadcastChannel reaches every tab of this origin in this browser profile (a private
// window has cookies, and a channel, of its own). Without it a tab learns at its next
// refetch, as before; every browser the app supports has it, so no `storage`-event fallback.

export const SESSION_CHANNEL = 'switchboard:session';

export type SessionChange = 'signed-in' | 'signed-out';

/** What goes over the channel. `from`: the tab that sent it, which ignores its own. */
export interface SessionMessage {
  change: SessionChange;
  from: string;
}

// A channel hears the other channels of the same name in this tab too (the app's listener,
// when this tab posts): each tab tells its own messages apart by this. Not a secret.
const THIS_TAB = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

const hasChannel = () => typeof BroadcastChannel !== 'undefined';

function isSessionMessage(data: unknown): data is SessionMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { change, from } = data as Partial<SessionMessage>;
  return (change === 'signed-in' || change === 'signed-out') && typeof from === 'string';
}

/** Tells the other tabs; they hear it even though this channel closes at once. */
export function tellOtherTabs(change: SessionChange): void {
  if (!hasChannel()) return;
  const channel = new BroadcastChannel(SESSION_CHANNEL);
  const message: SessionMessage = { change, from: THIS_TAB };
  channel.postMessage(message);
  channel.close();
}

/** Hears what other tabs tell (tellOtherTabs); returns the function that stops it. */
export function onOtherTabsChange(listener: (change: SessionChange) => void): () => void {
  if (!hasChannel()) return () => {};
  const channel = new BroadcastChannel(SESSION_CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (isSessionMessage(event.data) && event.data.from !== THIS_TAB) listener(event.data.change);
  };
  return () => channel.close();
}
