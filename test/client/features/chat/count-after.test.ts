import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../src/shared/schemas';
import { countAfter } from '../../../../src/client/features/chat/lib/count-after';
import { AppendOnlyList } from '../../../../src/client/lib/append-only-list';

const at = (sentAt: number, id = `m${sentAt}`): ChatMessage => ({
  id,
  from: 'bob',
  text: id,
  sentAt,
});
const room = [at(1), at(3), at(3, 'n3'), at(5), at(7)];

describe('countAfter', () => {
  it.each<[string, ChatMessage[], ChatMessage | undefined, number]>([
    ['none given: all of them', room, undefined, 5],
    ['the newest: none', room, at(7), 0],
    ['one in the list', room, at(3), 3],
    ['one sorting at the same time, after it by id', room, at(3, 'n3'), 2],
    ['one no longer in the list', room, at(4), 2],
    ['one before them all', room, at(0), 5],
    ['one after them all', room, at(9), 0],
    ['an empty list', [], at(3), 0],
  ])('%s', (_case, items, message, count) => {
    expect(countAfter(items, message)).toBe(count);
    expect(countAfter(AppendOnlyList.adopt(items.slice()), message)).toBe(count);
  });
});
