import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';

export interface Room {
  id: string;
  name: string;
}

export const roomsQueryKey = ['rooms'] as const;

export async function fetchRooms(signal?: AbortSignal): Promise<Room[]> {
  const body = await apiFetch<{ rooms: Room[] }>('/api/rooms', { signal });
  return body.rooms;
}

export const roomsQueryOptions = () =>
  queryOptions({
    queryKey: roomsQueryKey,
    queryFn: ({ signal }) => fetchRooms(signal),
    staleTime: 60_000,
  });

export const useRooms = () => useQuery(roomsQueryOptions());
