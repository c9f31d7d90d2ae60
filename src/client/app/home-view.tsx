import { InPlaceLink } from '../components/in-place-link';
import { useRooms } from '../features/chat/api/get-rooms';
import { hashOf } from './view-hash';

export function HomeView({ onOpenRoom }: { onOpenRoom(room: string): void }) {
  const rooms = useRooms();
  return (
    <section className="home" aria-labelledby="home-heading">
      <h2 id="home-heading" className="view-title">
        Welcome
      </h2>
      <p>Chat in a room, watch your agents, or check who is around.</p>
      {rooms.data && rooms.data.length > 0 && (
        <ul className="home__rooms">
          {rooms.data.map((room) => (
            <li key={room.id}>
              <InPlaceLink
                className="button"
                href={hashOf({ name: 'room', room: room.id })}
                onFollow={() => onOpenRoom(room.id)}
              >
                # {room.name}
              </InPlaceLink>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
