import { onOtherTabs, tellOtherTabs, type TabMessage } from '../../../lib/other-tabs';

// Tells this browser's other tabs that notifications were read in this one
// (lib/other-tabs.ts): once the server has the marks, so the inbox they ask for at once has
// them. Otherwise they would show the old unread count until their next focus or poll.

export const NOTIFICATIONS_READ_CHANNEL = 'switchboard:notifications-read';

/** What goes over the channel: whose inbox (`user@org`, accountOf) was read. */
export type NotificationsReadMessage = TabMessage<{ account: string }>;

/** Tells the other tabs that `account` read notifications, and the server has it. */
export function tellOtherTabsRead(account: string): void {
  tellOtherTabs(NOTIFICATIONS_READ_CHANNEL, { account });
}

/** Hears what other tabs tell (tellOtherTabsRead); returns the function that stops it. */
export function onOtherTabsRead(listener: (account: string) => void): () => void {
  return onOtherTabs(NOTIFICATIONS_READ_CHANNEL, ({ account }) => {
    if (typeof account === 'string') listener(account);
  });
}
