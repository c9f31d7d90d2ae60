import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../src/shared/schemas';
import {
  compareMessages,
  mergeMessages,
} from '../../../../src/client/features/chat/lib/merge-messages';
import type { LiveMessage } from '../../../../src/client/features/chat/stores/chat-store';

const msg = (id: string, sentAt: number, text = id): ChatMessage => ({
  id,
  from: 'bob',
  text,
  sentAt,
});
// The store keeps live messages ordered.
const live = (...messages: LiveMessage[]) => messages.sort(compareMessages);

describe('mergeMessages', () => {
  it.each([
    {
      name: 'orders by sentAt, then id for equal times',
      history: [[msg('b', 2), msg('c', 1)]],
      live: live({ ...msg('a', 2), status: 'sent' }),
      expected: ['c', 'a', 'b'],
    },
    {
      name: 'deduplicates a message present in history and live',
      history: [[msg('a', 1), msg('b', 2)]],
      live: live({ ...msg('b', 2), status: 'sent' }, { ...msg('c', 3), status: 'sent' }),
      expected: ['a', 'b', 'c'],
    },
    {
      name: 'deduplicates across overlapping history pages (refetch after reconnect)',
      history: [
        [msg('c', 3), msg('d', 4)],
        [msg('b', 2), msg('c', 3)],
      ],
      live: undefined,
      expected: ['b', 'c', 'd'],
    },
    {
      name: 'keeps live messages newer than history with no gap',
      history: [[msg('a', 1)]],
      live: live({ ...msg('z', 9), status: 'pending' }),
      expected: ['a', 'z'],
    },
  ])('$name', ({ history, live: liveMessages, expected }) => {
    expect(mergeMessages(history, liveMessages).map((m) => m.id)).toEqual(expected);
  });

  it('marks a message as sent once the server has it in history', () => {
    const merged = mergeMessages([[msg('a', 1)]], live({ ...msg('a', 1), status: 'pending' }));
    expect(merged).toEqual([{ ...msg('a', 1), status: 'sent' }]);
  });
});
