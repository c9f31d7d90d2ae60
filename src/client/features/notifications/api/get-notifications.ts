import { queryOptions, useQuery } from '@tanstack/react-query';
import { notificationSchema, type AppNotification } from '../../../../shared/schemas';
import { apiFetch } from '../../../lib/api/api-fetch';
import { useConnectionStore } from '../../connection/stores/connection-store';

// The newest page is all an inbox needs on sign-in; the store keeps what came before.
export const INBOX_PAGE_SIZE = 100;

interface InboxPage {
  /** newest first */
  notifications: AppNotification[];
  nextCursor: string | null;
}

export const notificationsQueryKey = ['notifications'] as const;

export async function fetchNotifications(signal?: AbortSignal): Promise<AppNotification[]> {
  const page = await apiFetch<InboxPage>(`/api/notifications?limit=${INBOX_PAGE_SIZE}`, { signal });
  // Same schema check as live notifications: what a service sent is never trusted raw.
  return page.notifications.filter((notification) => {
    const valid = notificationSchema.safeParse(notification).success;
    if (!valid) useConnectionStore.getState().countDropped();
    return valid;
  });
}

export const notificationsQueryOptions = () =>
  queryOptions({
    queryKey: notificationsQueryKey,
    queryFn: ({ signal }) => fetchNotifications(signal),
    // Live notifications keep the inbox current; it is refetched on every (re)connect.
    staleTime: Infinity,
  });

export const useNotifications = () => useQuery(notificationsQueryOptions());
