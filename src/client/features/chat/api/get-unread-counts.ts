import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import type { UnreadCounts } from '../../../../shared/unread-api';
import { apiFetch } from '../../../lib/api/api-fetch';
import { useChatStore } from '../stores/chat-store';

export const unreadCountsQueryKey = ['unread'] as const;

export function fetchUnreadCounts(signal?: AbortSignal): Promise<UnreadCounts> {
  return apiFetch<UnreadCounts>('/api/unread', { signal });
}

// Into the store as the answer arrives, once per answer: it has to be reconciled with what
// arrived live while it was on its way, which only the moment of asking tells. Whether it
// is a recount the store tells (beginUnreadSync), whoever asks.
async function countUnread({ signal }: { signal: AbortSignal }): Promise<UnreadCounts> {
  const mark = useChatStore.getState().beginUnreadSync();
  const counts = await fetchUnreadCounts(signal);
  useChatStore.getState().applyUnreadCounts(mark, counts);
  return counts;
}

export const unreadCountsQueryOptions = () =>
  queryOptions({
    queryKey: unreadCountsQueryKey,
    queryFn: countUnread,
    // Live messages keep the counts current; what they cannot tell (read on another
    // device, or missed past the broker's queue while away) the workspace asks for again
    // after a reconnect, on return to the page and while it is shown, and what they leave
    // in doubt soon after (app/use-refetch-changed-elsewhere.ts).
    staleTime: Infinity,
  });

/**
 * Asks for the counts again, whatever their age, because live messages may be missing from
 * them (the chat store's countsInDoubt): applied like any answer, and, with the doubt
 * unsettled, opening no new window for queued messages (UnreadSyncMark.recount). Call it
 * with no request for them on its way, which it would share: that one may have been asked
 * before the messages in doubt were recorded.
 */
export const recountUnreadCounts = (queryClient: QueryClient): Promise<UnreadCounts> =>
  queryClient.fetchQuery({ ...unreadCountsQueryOptions(), staleTime: 0 });

/** The badges' starting point: the server's unread counts, put into the chat store. */
export const useUnreadCounts = () => useQuery(unreadCountsQueryOptions());
