import { useCallback, useEffect, useState } from 'react';
import { useCurrentUser } from '../../auth/hooks/use-current-user';
import { useRooms } from '../api/get-rooms';
import { useDiscardLabels } from '../hooks/use-discard-labels';
import { useDiscardMessage } from '../hooks/use-discard-message';
import { useMarkReadWhileOpen } from '../hooks/use-mark-read-while-open';
import { useRetryMessage } from '../hooks/use-retry-message';
import { useRoomMessages } from '../hooks/use-room-messages';
import { useChatStore } from '../stores/chat-store';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { NewMessageAnnouncer } from './new-message-announcer';
import { TypingIndicator } from './typing-indicator';

export function RoomView({ room }: { room: string }) {
  const me = useCurrentUser();
  const rooms = useRooms();
  const roomName = rooms.data?.find((r) => r.id === room)?.name ?? room;
  const timeline = useRoomMessages(room);
  const discard = useDiscardMessage(room);
  const discardLabels = useDiscardLabels(room);
  const sendAgain = useRetryMessage(room);
  // Each message sent here (or sent again) brings the list to its newest, however far up
  // it was read.
  const [sends, setSends] = useState(0);
  // Stable: the list's rows are memoized, and would all render again with a new one.
  const retry = useCallback(
    (message: { id: string; text: string }) => {
      sendAgain(message);
      setSends((n) => n + 1);
    },
    [sendAgain],
  );

  // Messages arriving while the room is open are read, not unread.
  useEffect(() => {
    useChatStore.getState().setActiveRoom(room);
    return () => useChatStore.getState().setActiveRoom(null);
  }, [room]);
  useMarkReadWhileOpen(room, timeline.messages);

  return (
    <section className="room" aria-labelledby="room-heading">
      <h2 id="room-heading" className="view-title">
        # {roomName}
      </h2>
      {timeline.error && (
        <p className="form-error" role="alert">
          Could not load the history of #{roomName}: {timeline.error.message}
        </p>
      )}
      {timeline.isLoading ? (
        <p className="muted room__loading">Loading messages…</p>
      ) : (
        <MessageList
          roomName={roomName}
          messages={timeline.messages}
          me={me}
          hasOlder={timeline.hasOlder}
          isLoadingOlder={timeline.isLoadingOlder}
          onLoadOlder={timeline.loadOlder}
          onDiscard={discard}
          onRetry={retry}
          discardLabels={discardLabels}
          sends={sends}
        />
      )}
      <TypingIndicator room={room} />
      <NewMessageAnnouncer room={room} me={me} />
      <Composer room={room} roomName={roomName} onSent={() => setSends((n) => n + 1)} />
    </section>
  );
}
