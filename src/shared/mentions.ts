/** How many people one message can notify: more names than this in a message are text. */
export const MAX_MENTIONS_PER_MESSAGE = 10;

// `@bob` names the user bob: an `@` that starts a word (not bob@demo, a@b.c, nor a path in a
// link, medium.com/@bob) followed by a user id (ids.ts: lowercase letters, digits, `_` and
// `-`; `@Bob` is bob too), ending where the word does (`@bob,` and `@bob's` are bob;
// `@bobé` and the address `@bob@demo` are nobody).
// Spelled out, not /i: with /iu, [a-z] also matches the Kelvin sign and the long s.
const AT_WORD_START = String.raw`(?<![\p{L}\p{N}_.@/:-])@`;
const MENTION = new RegExp(
  String.raw`${AT_WORD_START}([A-Za-z0-9][A-Za-z0-9_-]{0,63})(?![\p{L}\p{N}_@-])`,
  'gu',
);
// The same `@`, then what is typed of a name so far, up to the end (the caret).
const MENTION_BEING_TYPED = new RegExp(String.raw`${AT_WORD_START}([A-Za-z0-9_-]{0,64})$`, 'u');

/** The `@name` that `text` ends in as it is being typed: where its `@` is, and the name so far. */
export function mentionBeingTyped(text: string): { at: number; name: string } | null {
  const match = MENTION_BEING_TYPED.exec(text);
  return match ? { at: match.index, name: match[1]! } : null;
}

/** The users a chat message mentions, lowercased, each once, in order, at most the limit. */
export function mentionedUsers(text: string, limit = MAX_MENTIONS_PER_MESSAGE): string[] {
  if (!text.includes('@')) return []; // most messages: no regex at all
  const users = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    users.add(match[1]!.toLowerCase());
    if (users.size === limit) break;
  }
  return [...users];
}

/** A piece of a message's text: a mention of the reader, or the text around one. */
export interface TextPart {
  text: string;
  mentionsReader: boolean;
}

/**
 * The text cut where it mentions `reader` (as mentionedUsers reads mentions, the server's
 * limit included), for the app to mark; null when it does not, the common case, which
 * costs one `includes`.
 */
export function partsMentioning(text: string, reader: string): TextPart[] | null {
  // Of the names past the limit nobody is notified: not marked either.
  if (!text.includes('@') || !mentionedUsers(text).includes(reader)) return null;
  const parts: TextPart[] = [];
  let from = 0;
  for (const match of text.matchAll(MENTION)) {
    if (match[1]!.toLowerCase() !== reader) continue;
    if (match.index > from)
      parts.push({ text: text.slice(from, match.index), mentionsReader: false });
    parts.push({ text: match[0], mentionsReader: true });
    from = match.index + match[0].length;
  }
  if (parts.length === 0) return null;
  if (from < text.length) parts.push({ text: text.slice(from), mentionsReader: false });
  return parts;
}

/** Where `text` first names `user` (at its `@`), as mentionedUsers reads it; -1 if nowhere. */
export function firstMentionAt(text: string, user: string): number {
  for (const match of text.matchAll(MENTION)) {
    if (match[1]!.toLowerCase() === user) return match.index;
  }
  return -1;
}
