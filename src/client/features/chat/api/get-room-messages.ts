import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { storedChatMessageSchema, type ChatMessage } from '../../../../shared/schemas';
import { apiFetch } from '../../../lib/api/api-fetch';
import { useConnectionStore } from '../../connection/stores/connection-store';

export const HISTORY_PAGE_SIZE = 50; // the newest page: opening a room stays quick
// Older pages are fetched while someone reads back: fewer, larger ones mean fewer
// prepends, each of which makes the virtualized list lay out everything loaded again.
// The server's maximum.
export const OLDER_HISTORY_PAGE_SIZE = 200;

export interface HistoryPage {
  /** oldest first */
  messages: ChatMessage[];
  /** cursor of the next older page; null when there is none */
  nextCursor: string | null;
}

export async function fetchRoomMessages(
  room: string,
  before: string | null,
  signal?: AbortSignal,
): Promise<HistoryPage> {
  const limit = before ? OLDER_HISTORY_PAGE_SIZE : HISTORY_PAGE_SIZE;
  const params = new URLSearchParams({ limit: String(limit) });
  if (before) params.set('before', before);
  const page = await apiFetch<HistoryPage>(
    `/api/rooms/${encodeURIComponent(room)}/messages?${params}`,
    { signal },
  );
  // History holds what people typed; it gets the schema check live messages get, as a
  // stored message (schemas.ts): a field the server adds is dropped, not the message.
  const messages = page.messages.flatMap((message): ChatMessage[] => {
    const parsed = storedChatMessageSchema.safeParse(message);
    if (parsed.success) return [parsed.data];
    useConnectionStore.getState().countDropped();
    return [];
  });
  return { messages, nextCursor: page.nextCursor };
}

export const roomMessagesQueryKey = (room: string) => ['rooms', room, 'messages'] as const;

export const roomMessagesQueryOptions = (room: string) =>
  infiniteQueryOptions({
    queryKey: roomMessagesQueryKey(room),
    queryFn: ({ pageParam, signal }) => fetchRoomMessages(room, pageParam, signal),
    initialPageParam: null as string | null,
    // "next" = older: the list grows upwards as the reader scrolls back.
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    // Live messages keep the view current; a refetch happens on reconnect to close gaps.
    staleTime: Infinity,
  });

export const useRoomHistory = (room: string) => useInfiniteQuery(roomMessagesQueryOptions(room));
