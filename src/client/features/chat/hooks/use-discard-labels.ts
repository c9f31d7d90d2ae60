import { useMemo } from 'react';
import { formatMessageTime } from '../components/message-item';
import { discardLabels } from '../lib/discard-wording';
import { compareMessages } from '../lib/merge-messages';
import { useChatStore } from '../stores/chat-store';

/**
 * The accessible names of the Discard buttons of our messages in `room` that were not
 * delivered, by id. Worked out from the few such messages the store lists apart, not
 * from the timeline, which the list renders only in part; numbered in the room's order.
 */
export function useDiscardLabels(room: string): ReadonlyMap<string, string> {
  const refused = useChatStore((state) => state.refused[room]);
  return useMemo(() => {
    const shown = [...(refused ?? [])].sort(compareMessages);
    const labels = discardLabels(
      shown.map((message) => ({ text: message.text, time: formatMessageTime(message.sentAt) })),
    );
    return new Map(shown.map((message, index) => [message.id, labels[index] as string]));
  }, [refused]);
}
