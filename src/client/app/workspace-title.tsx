import { useRooms } from '../features/chat/api/get-rooms';
import { useChatStore } from '../features/chat/stores/chat-store';
import { DocumentTitle } from './document-title';
import type { View } from './navigation-store';
import { ROOM_NOT_FOUND_TITLE, totalUnread, viewTitle, workspaceTitle } from './view-title';

interface WorkspaceTitleProps {
  view: View;
  /** A room view shows "Room not found" (the room list does not have it). */
  roomNotFound?: boolean;
}

/**
 * The tab's title for the view shown, with the unread messages. A component of its own:
 * a message in another room renders it again, not the shell and the open view.
 */
export function WorkspaceTitle({ view, roomNotFound = false }: WorkspaceTitleProps) {
  const rooms = useRooms(); // the room list's own query: no request of its own
  const unread = useChatStore((state) => totalUnread(state.unread, rooms.data));
  const roomName =
    view.name === 'room' ? rooms.data?.find((room) => room.id === view.room)?.name : undefined;
  const page = roomNotFound ? ROOM_NOT_FOUND_TITLE : viewTitle(view, roomName);
  return <DocumentTitle title={workspaceTitle(page, unread)} />;
}
