import { queryOptions, useQuery } from '@tanstack/react-query';
import type { UnreadCounts } from '../../../../shared/unread-api';
import { apiFetch } from '../../../lib/api/api-fetch';
import { useChatStore } from '../stores/chat-store';

export const unreadCountsQueryKey = ['unread'] as const;

export function fetchUnreadCounts(signal?: AbortSignal): Promise<UnreadCounts> {
  return apiFetch<UnreadCounts>('/api/unread', { signal });
}

export const unreadCountsQueryOptions = () =>
  queryOptions({
    queryKey: unreadCountsQueryKey,
    // Into the store as the answer arrives, once per answer: it has to be reconciled with
    // what arrived live while it was on its way, which only the moment of asking tells.
    queryFn: async ({ signal }) => {
      const mark = useChatStore.getState().beginUnreadSync();
      const counts = await fetchUnreadCounts(signal);
      useChatStore.getState().applyUnreadCounts(mark, counts);
      return counts;
    },
    // Live messages keep the counts current; what they cannot tell (read on another
    // device, or missed past the broker's queue while away) the workspace asks for again
    // after a reconnect, on return to the page and while it is shown
    // (app/use-refetch-changed-elsewhere.ts).
    staleTime: Infinity,
  });

/** The badges' starting point: the server's unread counts, put into the chat store. */
export const useUnreadCounts = () => useQuery(unreadCountsQueryOptions());
