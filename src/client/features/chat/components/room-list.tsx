import { UNREAD_CAP } from '../../../../shared/unread-api';
import { InPlaceLink } from '../../../components/in-place-link';
import { useChatStore } from '../stores/chat-store';
import { useRooms } from '../api/get-rooms';
import { useUnreadCounts } from '../api/get-unread-counts';
import { useRefetchRoomsOnUnknownRoom } from '../hooks/use-refetch-rooms-on-unknown-room';
import { NewRoomForm } from './new-room-form';

interface RoomListProps {
  activeRoom: string | null;
  /** The address of the room's view, for its link. */
  roomHref(room: string): string;
  onOpenRoom(room: string): void;
}

export function RoomList({ activeRoom, roomHref, onOpenRoom }: RoomListProps) {
  const rooms = useRooms();
  const unread = useChatStore((state) => state.unread);
  // No message when they cannot be had: the badges then count what arrives live, as before.
  useUnreadCounts();
  useRefetchRoomsOnUnknownRoom(rooms.data);

  return (
    <section className="nav-section" aria-labelledby="rooms-heading">
      <h2 id="rooms-heading" className="nav-section__title">
        Rooms
      </h2>
      {rooms.isPending && <p className="muted">Loading rooms…</p>}
      {/* A refresh that failed leaves the list as it was: nothing to retry by hand. */}
      {rooms.error && !rooms.data && (
        <p className="form-error" role="alert">
          Could not load rooms.{' '}
          <button className="link-button" onClick={() => void rooms.refetch()}>
            Retry
          </button>
        </p>
      )}
      {rooms.data && (
        <ul className="nav-list">
          {rooms.data.map((room) => {
            const count = unread[room.id] ?? 0;
            return (
              <li key={room.id}>
                <InPlaceLink
                  className="nav-item"
                  href={roomHref(room.id)}
                  aria-current={room.id === activeRoom ? 'page' : undefined}
                  onFollow={() => onOpenRoom(room.id)}
                >
                  <span className="nav-item__label"># {room.name}</span>
                  {/* The spaces are in the markup, not left to the layout: the link is read
                      "# general 1 unread" whatever the styles (the flex and grid boxes
                      here draw no whitespace between items, so none shows). */}
                  {count > 0 && (
                    <>
                      {' '}
                      {/* data-count: the count itself past the cap, for tools reading the
                          page (bench/lib/page-probe.js checks every message is counted). */}
                      <span className="badge" data-count={count}>
                        {count >= UNREAD_CAP ? `${UNREAD_CAP - 1}+` : count}{' '}
                        <span className="visually-hidden">unread</span>
                      </span>
                    </>
                  )}
                </InPlaceLink>
              </li>
            );
          })}
          {rooms.data.length === 0 && <li className="muted">No rooms yet.</li>}
        </ul>
      )}
      <NewRoomForm onCreated={onOpenRoom} />
    </section>
  );
}
