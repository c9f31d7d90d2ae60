import { RoomOrNotFound } from '../features/chat/components/room-or-not-found';
import { useRoomListing } from '../features/chat/hooks/use-room-listing';
import { WorkspaceTitle } from './workspace-title';

/** A room's view and the tab's title, both following whether the room list has the room. */
export function RoomScreen({ room, onLeave }: { room: string; onLeave(): void }) {
  const listing = useRoomListing(room);
  return (
    <>
      <WorkspaceTitle view={{ name: 'room', room }} roomNotFound={listing === 'unlisted'} />
      <RoomOrNotFound room={room} listing={listing} onLeave={onLeave} />
    </>
  );
}
