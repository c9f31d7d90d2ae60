import { useMemo } from 'react';
import { useRoomHistory } from '../api/get-room-messages';
import { mergeMessages, type TimelineMessage } from '../lib/merge-messages';
import { useChatStore } from '../stores/chat-store';

export interface RoomMessages {
  messages: TimelineMessage[];
  isLoading: boolean;
  error: Error | null;
  hasOlder: boolean;
  isLoadingOlder: boolean;
  loadOlder(): void;
}

/** History pages and live messages of a room as one ordered, duplicate-free list. */
export function useRoomMessages(room: string): RoomMessages {
  const history = useRoomHistory(room);
  const live = useChatStore((state) => state.live[room]);
  const pages = history.data?.pages;
  const messages = useMemo(
    () => mergeMessages(pages?.map((page) => page.messages) ?? [], live),
    [pages, live],
  );
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;

  return {
    messages,
    isLoading: history.isPending,
    error: history.error,
    hasOlder: hasNextPage,
    isLoadingOlder: isFetchingNextPage,
    loadOlder: () => {
      if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    },
  };
}
