import { usePrefetchInfiniteQuery } from '@tanstack/react-query';
import { roomMessagesQueryOptions } from '../api/get-room-messages';
import type { RoomListing } from '../hooks/use-room-listing';
import { RoomNotFound } from './room-not-found';
import { RoomView } from './room-view';

interface RoomOrNotFoundProps {
  room: string;
  /** What the room list says of the room (useRoomListing). */
  listing: RoomListing;
  /** Away from a room that is not there, to the rooms there are. */
  onLeave(): void;
}

/**
 * The room a view names (from a link, the address bar, or the room list), once the room
 * list says the person may read it; "not found" otherwise, with no composer: there is
 * nothing to write to. Also when it stops being listed while open (access taken away).
 */
export function RoomOrNotFound({ room, listing, onLeave }: RoomOrNotFoundProps) {
  switch (listing) {
    case 'listed':
      return <RoomView room={room} />;
    case 'unlisted':
      return <RoomNotFound room={room} onLeave={onLeave} />;
    case 'loading':
      return <CheckingRoom room={room} prefetchHistory />;
    case 'checking':
      return <CheckingRoom room={room} />;
  }
}

function CheckingRoom({
  room,
  prefetchHistory = false,
}: {
  room: string;
  prefetchHistory?: boolean;
}) {
  return (
    <section className="room" aria-labelledby="room-heading" aria-busy="true">
      {prefetchHistory && <PrefetchHistory room={room} />}
      <h2 id="room-heading" className="view-title">
        # {room}
      </h2>
      <p className="muted room__loading">Loading…</p>
    </section>
  );
}

/**
 * Most rooms a view names are there: while the room list is on its way, their history is
 * asked for alongside it (a reload into a room waits for one round trip, not two). Not once
 * there is a list without the room: that one is likely not there, and the server would only
 * refuse its history (a 403, which makes the app ask for the session again).
 */
function PrefetchHistory({ room }: { room: string }) {
  usePrefetchInfiniteQuery(roomMessagesQueryOptions(room));
  return null;
}
