import { useEffect, useState } from 'react';
import { useRooms } from '../api/get-rooms';

/**
 * listed: the room list has the room. checking: the list is on its way. unlisted: the
 * server does not list it: there is no such room, or it is not the person's to read (the
 * server does not say which).
 */
export type RoomListing = 'listed' | 'checking' | 'unlisted';

/**
 * Whether `room` is in the person's room list. A list that does not have it but was
 * fetched before the room was opened may be older than the room (created since, or the
 * person let in since, by someone else): it is asked for once more before the room counts
 * as unlisted. Without any list (it could not be had), the room counts as listed: a room
 * is not taken from someone on a failed request, and the server answers for its history.
 */
export function useRoomListing(room: string): RoomListing {
  const rooms = useRooms();
  const [openedAt] = useState(Date.now);
  const found = rooms.data?.some((listed) => listed.id === room) ?? false;
  const askedSinceOpened = Math.max(rooms.dataUpdatedAt, rooms.errorUpdatedAt) >= openedAt;
  const recheck = rooms.data !== undefined && !found && !askedSinceOpened;
  const { refetch } = rooms;

  useEffect(() => {
    if (recheck) void refetch({ cancelRefetch: false }); // one already on its way will do
  }, [recheck, refetch]);

  if (found) return 'listed';
  if (rooms.data === undefined) {
    // Not isError: that flips back to pending at each retry, and each would remount the room.
    return rooms.errorUpdatedAt > 0 ? 'listed' : 'checking';
  }
  return recheck ? 'checking' : 'unlisted';
}
