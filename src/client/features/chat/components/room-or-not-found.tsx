import { usePrefetchInfiniteQuery } from '@tanstack/react-query';
import { roomMessagesQueryOptions } from '../api/get-room-messages';
import { useRoomListing } from '../hooks/use-room-listing';
import { RoomNotFound } from './room-not-found';
import { RoomView } from './room-view';

interface RoomOrNotFoundProps {
  room: string;
  /** Away from a room that is not there, to the rooms there are. */
  onLeave(): void;
}

/**
 * The room a view names (from a link, the address bar, or the room list), once the room
 * list says the person may read it; "not found" otherwise, with no composer: there is
 * nothing to write to. Also when it stops being listed while open (access taken away).
 */
export function RoomOrNotFound({ room, onLeave }: RoomOrNotFoundProps) {
  switch (useRoomListing(room)) {
    case 'listed':
      return <RoomView room={room} />;
    case 'unlisted':
      return <RoomNotFound room={room} onLeave={onLeave} />;
    case 'checking':
      return <CheckingRoom room={room} />;
  }
}

function CheckingRoom({ room }: { room: string }) {
  // Most rooms a view names are there: their history is asked for alongside the room list
  // (a reload into a room waits for one round trip, not two).
  usePrefetchInfiniteQuery(roomMessagesQueryOptions(room));
  return (
    <section className="room" aria-labelledby="room-heading" aria-busy="true">
      <h2 id="room-heading" className="view-title">
        # {room}
      </h2>
      <p className="muted room__loading">Loading…</p>
    </section>
  );
}
