import type { ChatMessage } from '../../../../shared/schemas';
import type { ReadonlyList } from '../../../lib/append-only-list';
import { compareMessages } from './merge-messages';

/**
 * How many of a timeline's messages (in `compareMessages` order) sort after `message`,
 * which need not be in it any more; all of them when there is none. A binary search
 * through `at`: O(log n) in a room of any length, never a walk through it.
 */
export function countAfter(
  messages: ReadonlyList<ChatMessage>,
  message: ChatMessage | undefined,
): number {
  if (message === undefined) return messages.length;
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareMessages(messages.at(middle) as ChatMessage, message) <= 0) low = middle + 1;
    else high = middle;
  }
  return messages.length - low;
}
