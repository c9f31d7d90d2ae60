import { useCallback } from 'react';
import type { ChatMessage } from '../../../../shared/schemas';
import { chatMessagesTopic } from '../../../../shared/topics';
import { useConnection } from '../../../lib/mqtt/connection-context';
import { useCurrentUser } from '../../auth/hooks/use-current-user';
import { useChatStore } from '../stores/chat-store';

/** Shows the message at once as pending; the outbox delivers it (QoS 1) even after a drop. */
export function useSendMessage(room: string): (text: string) => void {
  const connection = useConnection();
  const me = useCurrentUser();
  return useCallback(
    (text: string) => {
      const message: ChatMessage = {
        id: crypto.randomUUID(),
        from: me,
        text,
        sentAt: connection.serverNow(),
      };
      useChatStore.getState().addPending(room, message);
      // Confirmed after its PUBACK, which does not prove delivery (confirm-chat-delivery.ts).
      connection.publishReliable(chatMessagesTopic(room), JSON.stringify(message), {
        id: message.id,
        confirm: true,
      });
    },
    [connection, me, room],
  );
}
