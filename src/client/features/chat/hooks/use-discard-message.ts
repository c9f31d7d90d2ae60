import { useCallback } from 'react';
import { useConnection } from '../../../lib/mqtt/connection-context';
import { useChatStore } from '../stores/chat-store';

/**
 * Forgets a message of ours in `room` that was not delivered: from the room, and from the
 * tab's storage, which keeps such a message across reloads until the person discards it.
 */
export function useDiscardMessage(room: string): (id: string) => void {
  const connection = useConnection();
  return useCallback(
    (id: string) => {
      if (useChatStore.getState().discard(room, id)) connection.outbox.discard(id);
    },
    [connection, room],
  );
}
