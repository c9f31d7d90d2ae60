import { useEffect, useMemo, useRef } from 'react';
import type { AppendOnlyList } from '../../../lib/append-only-list';
import { useRoomHistory } from '../api/get-room-messages';
import {
  extendHistory,
  mergeLive,
  type HistoryTimeline,
  type TimelineMessage,
} from '../lib/merge-messages';
import { useChatStore } from '../stores/chat-store';

export interface RoomMessages {
  messages: AppendOnlyList<TimelineMessage>;
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
  // The previous timeline, so that an older page is merged in rather than everything
  // re-sorted. Any timeline is a valid start (extendHistory rebuilds when it must), so
  // keeping the latest one computed, committed or not, is safe.
  const previous = useRef<HistoryTimeline | null>(null);
  const historyTimeline = useMemo(() => {
    const next = extendHistory(previous.current, pages?.map((page) => page.messages) ?? []);
    previous.current = next;
    return next;
  }, [pages]);
  const messages = useMemo(() => mergeLive(historyTimeline, live), [historyTimeline, live]);

  // History's copy wins on screen; the store, and what the tab keeps as refused across
  // reloads (confirm-chat-delivery.ts), must follow it, or a delivered message would come
  // back as not delivered at the next reload. Only our few refused messages are checked,
  // and only a copy from us is ours delivered: another sender's message with that id
  // (ids are the sender's to choose) must not cost us our kept text.
  const refused = useChatStore((state) => state.refused[room]);
  useEffect(() => {
    const delivered = refused?.filter(
      (message) => historyTimeline.get(message.id)?.from === message.from,
    );
    if (delivered?.length) {
      useChatStore.getState().foundInHistory(
        room,
        delivered.map((message) => message.id),
      );
    }
  }, [room, refused, historyTimeline]);
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
