import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { displayText } from '../../../lib/display-text';

export interface Room {
  id: string;
  name: string;
}

export const roomsQueryKey = ['rooms'] as const;

/** The rooms, their names as shown: whoever made a room named it (lib/display-text.ts). */
export async function fetchRooms(signal?: AbortSignal): Promise<Room[]> {
  const body = await apiFetch<{ rooms: Room[] }>('/api/rooms', { signal });
  // "gen\u200Beral" would look like "general" in the sidebar, the title and the composer.
  return body.rooms.map((room) => ({ ...room, name: displayText(room.name) }));
}

export const roomsQueryOptions = () =>
  queryOptions({
    queryKey: roomsQueryKey,
    queryFn: ({ signal }) => fetchRooms(signal),
    staleTime: 60_000,
  });

export const useRooms = () => useQuery(roomsQueryOptions());
