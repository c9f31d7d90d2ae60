import { useEffect } from 'react';
import { useAnnouncement } from '../../../hooks/use-announcement';
import type { AppNotification } from '../../../../shared/schemas';
import { displayTitle } from '../lib/display-text';
import { useNotificationsStore } from '../stores/notifications-store';

/**
 * Arrivals this close together are told as one ("3 new notifications"): a queue delivered
 * after a reconnect, or a service sending a batch, comes in one burst.
 */
export const ANNOUNCE_BURST_MS = 1_000;

const announcementOf = (count: number, last: AppNotification | null): string =>
  count === 1 && last
    ? `New notification: ${displayTitle(last.title)}`
    : `${count} new notifications`;

/**
 * Says that notifications arrived, wherever the person is in the app (it lives in the top
 * bar, beside the bell, whose count changes silently). Only live ones new to the inbox
 * (the store's `arrivals`): not what the inbox listed when it opened.
 */
export function NewNotificationAnnouncer() {
  const [announcement, announce] = useAnnouncement();

  useEffect(() => {
    let count = 0;
    let last: AppNotification | null = null;
    let due: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = useNotificationsStore.subscribe(({ arrivals }, previous) => {
      if (arrivals === previous.arrivals) return;
      if (arrivals.count < previous.arrivals.count) {
        // Another inbox (signed out, or in as someone else): nothing of the last one is news.
        count = 0;
        clearTimeout(due);
        due = undefined;
        return;
      }
      count += arrivals.count - previous.arrivals.count;
      last = arrivals.last;
      due ??= setTimeout(() => {
        announce(announcementOf(count, last));
        count = 0;
        due = undefined;
      }, ANNOUNCE_BURST_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(due);
    };
  }, [announce]);

  return (
    <p className="visually-hidden" role="status">
      {announcement}
    </p>
  );
}
