import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { APP_ROLES, type Role } from '../../shared/acl';
import { RoomOrNotFound } from '../features/chat/components/room-or-not-found';
import { MentionCandidates } from '../features/chat/hooks/mention-candidates';
import { useRoomListing } from '../features/chat/hooks/use-room-listing';
import { peopleQueryOptions } from '../features/presence/api/get-people';
import { WorkspaceTitle } from './workspace-title';

// For suggestions: not asked again at every room switch and window focus (the People
// view, which shows presence, asks at each showing).
const PEOPLE_FRESH_MS = 60_000;

/** A room's view and the tab's title, both following whether the room list has the room. */
export function RoomScreen({ room, onLeave }: { room: string; onLeave(): void }) {
  const listing = useRoomListing(room);
  const people = useQuery({ ...peopleQueryOptions(), staleTime: PEOPLE_FRESH_MS }).data;
  // The composer suggests the people a mention notifies: those who use the app.
  const mentionable = useMemo(
    () => people?.filter((p) => APP_ROLES.includes(p.role as Role)).map((p) => p.user) ?? [],
    [people],
  );
  return (
    <MentionCandidates.Provider value={mentionable}>
      <WorkspaceTitle view={{ name: 'room', room }} roomNotFound={listing === 'unlisted'} />
      <RoomOrNotFound room={room} listing={listing} onLeave={onLeave} />
    </MentionCandidates.Provider>
  );
}
