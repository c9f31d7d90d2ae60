import { useRooms } from '../features/chat/api/get-rooms';
import { useChatStore } from '../features/chat/stores/chat-store';
import { DocumentTitle } from './document-title';
import type { View } from './navigation-store';
import { totalUnread, viewTitle, workspaceTitle } from './view-title';

/**
 * The tab's title for the view shown, with the unread messages. A component of its own:
 * a message in another room renders it again, not the shell and the open view.
 */
export function WorkspaceTitle({ view }: { view: View }) {
  const unread = useChatStore((state) => totalUnread(state.unread));
  const rooms = useRooms(); // the room list's own query: no request of its own
  const roomName =
    view.name === 'room' ? rooms.data?.find((room) => room.id === view.room)?.name : undefined;
  return <DocumentTitle title={workspaceTitle(viewTitle(view, roomName), unread)} />;
}
