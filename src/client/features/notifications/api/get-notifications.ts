import { queryOptions, useQuery } from '@tanstack/react-query';
import {
  NOTIFICATION_CURSOR_PATTERN,
  SESSION_CHANGED_CODE,
  type InboxNotification,
  type InboxPage,
} from '../../../../shared/notifications-api';
import { storedNotificationSchema } from '../../../../shared/schemas';
import { ApiError } from '../../../lib/api/api-error';
import { apiFetch } from '../../../lib/api/api-fetch';
import { useConnectionStore } from '../../connection/stores/connection-store';
import { useNotificationsStore } from '../stores/notifications-store';

// The newest page fills the inbox; older ones are asked for when wanted
// (get-older-notifications.ts), and the unread count covers them meanwhile.
export const INBOX_PAGE_SIZE = 100;

export const notificationsQueryKey = ['notifications'] as const;

/** The newest page of the inbox, or (`before`: a nextCursor) the page older than that. */
export async function fetchNotifications(
  signal?: AbortSignal,
  before?: string,
): Promise<InboxPage> {
  const query = new URLSearchParams({ limit: String(INBOX_PAGE_SIZE) });
  if (before !== undefined) query.set('before', before);
  const page = await apiFetch<InboxPage>(`/api/notifications?${query.toString()}`, { signal });
  // Same schema check as live notifications: what a service sent is never trusted raw. As
  // a stored one (schemas.ts): the item's `read`, the server's own, is not refused.
  const notifications = page.notifications.flatMap((item): InboxNotification[] => {
    const parsed = storedNotificationSchema.safeParse(item);
    if (!parsed.success) {
      useConnectionStore.getState().countDropped();
      return [];
    }
    return [{ ...parsed.data, read: item.read === true }];
  });
  // The rest is this app's own server's (DESIGN.md), but a count is never taken as NaN.
  const unread =
    Number.isSafeInteger(page.unread) && page.unread >= 0
      ? page.unread
      : notifications.filter((item) => !item.read).length;
  return {
    // Whose it is: an answer without it is taken for nobody's.
    account: typeof page.account === 'string' ? page.account : '',
    notifications,
    // Sent back as `before`: only what the server's cursors look like.
    nextCursor:
      typeof page.nextCursor === 'string' && NOTIFICATION_CURSOR_PATTERN.test(page.nextCursor)
        ? page.nextCursor
        : null,
    unread,
    newestCursor: typeof page.newestCursor === 'string' ? page.newestCursor : null,
  };
}

export const notificationsQueryOptions = () =>
  queryOptions({
    queryKey: notificationsQueryKey,
    // Into the store as the answer arrives, once per answer: it has to be reconciled with
    // what arrived, and what was marked read, while it was on its way.
    queryFn: async ({ signal }) => {
      const mark = useNotificationsStore.getState().beginInboxSync();
      const page = await fetchNotifications(signal);
      if (useNotificationsStore.getState().applyInbox(mark, page)) return page;
      // Another account's: the cookie is someone else's since (a sign-in in another tab;
      // the session, asked for with the inbox, takes this tab out). Not this inbox's answer,
      // to keep or show.
      throw new ApiError(409, SESSION_CHANGED_CODE, 'the inbox answered is another account’s');
    },
    // Live notifications keep the inbox current; what they cannot tell (read on another
    // device, or missed while away) is asked for again after each (re)connect, on return to
    // the page and while it is shown (app/use-refetch-changed-elsewhere.ts).
    staleTime: Infinity,
  });

/**
 * Keeps the inbox fetched. Its answers are read through the store, so they re-render
 * nothing here: the workspace that holds it would re-render everything at each refetch.
 */
export const useNotifications = () =>
  useQuery({ ...notificationsQueryOptions(), notifyOnChangeProps: [] });
