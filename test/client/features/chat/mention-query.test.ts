import { describe, expect, it } from 'vitest';
import {
  mentionQueryAt,
  mentionSuggestions,
} from '../../../../src/client/features/chat/lib/mention-query';

describe('mentionQueryAt', () => {
  it.each([
    ['an @ just typed', 'hi @', 4, { start: 3, prefix: '' }],
    ['a name begun, any case', 'hi @Bo', 6, { start: 3, prefix: 'bo' }],
    ['at the very start', '@bob', 4, { start: 0, prefix: 'bob' }],
    ['the caret inside a longer text', '@bo and more', 3, { start: 0, prefix: 'bo' }],
    ['an address is not a mention', 'bob@de', 6, null],
    ['a link path is not', 'medium.com/@bo', 14, null],
    ['a space ends it', '@bob ', 5, null],
    ['no @ at all', 'hello', 5, null],
  ])('%s', (_, text, caret, query) => {
    expect(mentionQueryAt(text, caret)).toEqual(query);
  });
});

describe('mentionSuggestions', () => {
  const people = ['alice', 'bob', 'bobby', 'carol', 'bo'];
  it('lists who starts with what was typed, in order, not the writer, at most six', () => {
    expect(mentionSuggestions(people, { start: 0, prefix: 'bo' }, 'alice')).toEqual([
      'bob',
      'bobby',
      'bo',
    ]);
    expect(mentionSuggestions(people, { start: 0, prefix: '' }, 'alice')).toEqual([
      'bob',
      'bobby',
      'carol',
      'bo',
    ]);
    const many = Array.from({ length: 10 }, (_, i) => `u${i}`);
    expect(mentionSuggestions(many, { start: 0, prefix: 'u' }, 'alice')).toHaveLength(6);
  });
});
