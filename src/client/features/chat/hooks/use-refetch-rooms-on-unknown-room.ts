import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { roomsQueryKey, type Room } from '../api/get-rooms';
import { useChatStore } from '../stores/chat-store';

/**
 * Refetches the room list when messages arrive for a room it does not have (created by
 * someone else since it was fetched), so the room shows up with its first message. Once
 * per set of unknown rooms: a room the server does not list (not readable, or never
 * created) is not asked for again and again.
 */
export function useRefetchRoomsOnUnknownRoom(rooms: readonly Room[] | undefined): void {
  const queryClient = useQueryClient();
  const unknown = useChatStore((state) => {
    if (!rooms) return '';
    const listed = new Set(rooms.map((room) => room.id));
    return Object.keys(state.live)
      .filter((room) => !listed.has(room))
      .sort()
      .join(' ');
  });
  useEffect(() => {
    if (unknown) void queryClient.invalidateQueries({ queryKey: roomsQueryKey, exact: true });
  }, [unknown, queryClient]);
}
