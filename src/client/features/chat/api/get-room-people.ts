import { queryOptions } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';

export interface RoomPerson {
  user: string;
  role: string;
}

/** Under the people list's key, so what refreshes that refreshes these too. */
export const roomPeopleQueryKey = (room: string) => ['people', 'room', room] as const;

/** The people who may read a room: those a mention in it notifies. */
export async function fetchRoomPeople(room: string, signal?: AbortSignal): Promise<RoomPerson[]> {
  const body = await apiFetch<{ people: RoomPerson[] }>(
    `/api/rooms/${encodeURIComponent(room)}/people`,
    { signal },
  );
  return body.people;
}

// For suggestions: not asked again at every `@`, room switch and window focus.
const ROOM_PEOPLE_FRESH_MS = 60_000;

export const roomPeopleQueryOptions = (room: string) =>
  queryOptions({
    queryKey: roomPeopleQueryKey(room),
    queryFn: ({ signal }) => fetchRoomPeople(room, signal),
    staleTime: ROOM_PEOPLE_FRESH_MS,
  });
