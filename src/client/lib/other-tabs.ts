// What one tab tells this browser's other tabs of the app: a sign-in or sign-out
// (features/auth/lib/session-broadcast.ts), notifications read (features/notifications/lib/
// read-broadcast.ts). They share its cookie and its server-side state, and follow at once,
// rather than at their next focus or poll.
//
// BroadcastChannel reaches every tab of this origin in this browser profile (a private
// window has cookies, and a channel, of its own). Without it a tab learns at its next
// refetch, as before; every browser the app supports has it, so no `storage`-event fallback.

// A channel hears the other channels of the same name in this tab too (the app's listener,
// when this tab posts): each tab tells its own messages apart by this. Not a secret.
const THIS_TAB = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

const hasChannel = () => typeof BroadcastChannel !== 'undefined';

/** What goes over a channel: `from`, the tab that sent it, which ignores its own. */
export type TabMessage<T extends object> = T & { from: string };

/** Tells the other tabs on `channel`; they hear it even though this one closes at once. */
export function tellOtherTabs<T extends object>(channel: string, message: T): void {
  if (!hasChannel()) return;
  const sender = new BroadcastChannel(channel);
  sender.postMessage({ ...message, from: THIS_TAB } satisfies TabMessage<T>);
  sender.close();
}

/**
 * Hears what other tabs tell on `channel` (tellOtherTabs): whatever arrives, as an object
 * the listener checks the fields of. Returns the function that stops it.
 */
export function onOtherTabs(
  channel: string,
  listener: (message: Partial<Record<string, unknown>>) => void,
): () => void {
  if (!hasChannel()) return () => {};
  const receiver = new BroadcastChannel(channel);
  receiver.onmessage = (event: MessageEvent<unknown>) => {
    const { data } = event;
    if (typeof data !== 'object' || data === null) return;
    const message = data as Partial<Record<string, unknown>>;
    if (typeof message.from === 'string' && message.from !== THIS_TAB) listener(message);
  };
  return () => receiver.close();
}
