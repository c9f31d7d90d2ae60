import { useMemo } from 'react';
import { formatMessageTime } from '../components/message-item';
import { discardLabels, retryLabels } from '../lib/discard-wording';
import { compareMessages } from '../lib/merge-messages';
import { useChatStore } from '../stores/chat-store';

/** The accessible names of the buttons of one of our messages that was not delivered. */
export interface UndeliveredLabels {
  discard: string;
  retry: string;
}

/**
 * The accessible names of the Discard and Retry buttons of our messages in `room` that
 * were not delivered, by id. Worked out from the few such messages the store lists apart,
 * not from the timeline, which the list renders only in part; numbered in the room's order.
 */
export function useDiscardLabels(room: string): ReadonlyMap<string, UndeliveredLabels> {
  const refused = useChatStore((state) => state.refused[room]);
  return useMemo(() => {
    const shown = [...(refused ?? [])].sort(compareMessages);
    const targets = shown.map((message) => ({
      text: message.text,
      time: formatMessageTime(message.sentAt),
    }));
    const discard = discardLabels(targets);
    const retry = retryLabels(targets);
    return new Map(
      shown.map((message, index) => [
        message.id,
        { discard: discard[index] as string, retry: retry[index] as string },
      ]),
    );
  }, [refused]);
}
