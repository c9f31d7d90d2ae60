import { useEffect, useRef, useState } from 'react';
import { useRooms } from '../api/get-rooms';

/**
 * listed: the room list has the room (or, without an answer to go by, the server is left to
 * answer for it). loading: there is no room list yet. checking: the list is asked for again
 * (see useRoomListing). unlisted: the server does not list it: there is no such room, or it
 * is not the person's to read (the server does not say which).
 */
export type RoomListing = 'listed' | 'loading' | 'checking' | 'unlisted';

/**
 * What the room list's answers say of a room it does not have. current: they count (they
 * came after the room was opened, or the list had the room when it was). due, asking: the
 * list the room was opened with may be older than the room, and is asked for again.
 * failed: that request failed; until the list is answered again, it counts for nothing.
 */
type Recheck = 'current' | 'due' | 'asking' | 'failed';

/**
 * Whether `room` is in the person's room list. A list that does not have it when the room is
 * opened may be older than the room (created since, or the person let in since, by someone
 * else): it is asked for once more, by a request sent from here, before the room counts as
 * unlisted. Without an answer to go by (no list could be had, or the one asked for again
 * failed), the room counts as listed: a room is not taken from someone on a failed request,
 * and the server answers for its history.
 */
export function useRoomListing(room: string): RoomListing {
  const rooms = useRooms();
  const found = rooms.data?.some((listed) => listed.id === room) ?? false;
  // The first list to come (none yet) was asked for with the room, at start-up.
  const [recheck, setRecheck] = useState<Recheck>(() =>
    rooms.data !== undefined && !found ? 'due' : 'current',
  );
  const asked = useRef(false); // once, StrictMode's second effect run included
  const { refetch } = rooms;

  useEffect(() => {
    if (recheck !== 'due' || asked.current) return;
    asked.current = true;
    setRecheck('asking');
    // A request already on its way was sent before the room was opened, and may not have it
    // either: it is cancelled, and whoever waited for it gets this answer instead.
    void refetch({ cancelRefetch: true }).then((result) =>
      setRecheck(result.isError ? 'failed' : 'current'),
    );
  }, [recheck, refetch]);

  if (found) return 'listed';
  if (rooms.data === undefined) {
    // Not isError: that flips back to pending at each retry, and each would remount the room.
    return rooms.errorUpdatedAt > 0 ? 'listed' : 'loading';
  }
  switch (recheck) {
    case 'current':
      return 'unlisted';
    case 'failed':
      // isError holds until a request for the list succeeds (a retry, the next poll).
      return rooms.isError ? 'listed' : 'unlisted';
    case 'due':
    case 'asking':
      return 'checking';
  }
}
