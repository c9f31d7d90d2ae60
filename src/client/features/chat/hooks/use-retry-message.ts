import { useCallback } from 'react';
import { useDiscardMessage } from './use-discard-message';
import { useSendMessage } from './use-send-message';

/**
 * Sends the text of a message of ours in `room` that was not delivered again, as the
 * composer sends it (a new message, with its own id and time), and forgets the old one as
 * Discard does. Sent first: were sending to throw, the text would not be lost with it.
 */
export function useRetryMessage(room: string): (message: { id: string; text: string }) => void {
  const send = useSendMessage(room);
  const discard = useDiscardMessage(room);
  return useCallback(
    (message) => {
      send(message.text);
      discard(message.id);
    },
    [send, discard],
  );
}
