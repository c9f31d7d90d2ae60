import { describe, expect, it } from 'vitest';
import {
  MAX_MENTIONS_PER_MESSAGE,
  mentionedUsers,
  partsMentioning,
} from '../../src/shared/mentions';

describe('mentionedUsers', () => {
  it.each([
    ['no mention', 'hello there', []],
    ['one', '@bob can you look?', ['bob']],
    ['inside a sentence, with punctuation after', 'thanks @bob, and @carol.', ['bob', 'carol']],
    ['an apostrophe ends it', "that is @bob's build", ['bob']],
    ['in brackets', '(@bob)', ['bob']],
    ['after a newline', 'first line\n@bob second', ['bob']],
    ['uppercase is the same user', '@Bob and @BOB', ['bob']],
    ['each user once, in order', '@carol @bob @carol', ['carol', 'bob']],
    ['ids with digits, - and _', '@ops-bot_2 hi', ['ops-bot_2']],
    ['an address is not a mention', 'mail bob@demo or a.b@c.d', []],
    ['nor a path in a link', 'see https://medium.com/@bob/post and mailto:@bob', []],
    ['nor a login written with its org', '@bob@demo', []],
    ['a second @ is not', '@@bob', []],
    ['a bare @', 'meet @ 5', []],
    ['not after a letter of another script', 'x@bob é@bob', []],
    ['the Kelvin sign is not a K', '@bo\u212A', []],
    ['a letter of another script goes on the word', '@bobé @bob1', ['bob1']],
    ['an id must start with a letter or digit', '@_bob @-bob', []],
    ['longer than an id is nobody', `@${'a'.repeat(65)}`, []],
    ['the longest id is someone', `@${'a'.repeat(64)}`, ['a'.repeat(64)]],
  ])('%s', (_, text, users) => {
    expect(mentionedUsers(text)).toEqual(users);
  });

  it(`stops at ${MAX_MENTIONS_PER_MESSAGE} people`, () => {
    const names = Array.from({ length: 15 }, (_, i) => `user${i}`);
    const text = names.map((name) => `@${name}`).join(' ');
    expect(mentionedUsers(text)).toEqual(names.slice(0, MAX_MENTIONS_PER_MESSAGE));
  });
});

describe('partsMentioning', () => {
  it.each([
    ['no @ at all', 'hello', null],
    ['someone else only', '@carol hi', null],
    ['an address', 'bob@demo', null],
    [
      'the reader, around text',
      'hi @Bob, ok',
      [
        { text: 'hi ', mentionsReader: false },
        { text: '@Bob', mentionsReader: true },
        { text: ', ok', mentionsReader: false },
      ],
    ],
    [
      'at both ends, another name between kept as text',
      '@bob @carol @bob',
      [
        { text: '@bob', mentionsReader: true },
        { text: ' @carol ', mentionsReader: false },
        { text: '@bob', mentionsReader: true },
      ],
    ],
  ])('%s', (_, text, parts) => {
    expect(partsMentioning(text, 'bob')).toEqual(parts);
  });

  it('leaves a reader named past the limit unmarked, as the server does not notify them', () => {
    const others = Array.from({ length: MAX_MENTIONS_PER_MESSAGE }, (_, i) => `@user${i}`);
    expect(partsMentioning(`${others.join(' ')} @bob`, 'bob')).toBeNull();
    expect(partsMentioning(`@bob ${others.join(' ')}`, 'bob')).not.toBeNull();
  });
});
