/** How many people one message can notify: more names than this in a message are text. */
export const MAX_MENTIONS_PER_MESSAGE = 10;

// `@bob` names the user bob: an `@` that starts a word (not bob@demo or a@b.c) followed by
// a user id (ids.ts: lowercase letters, digits, `_` and `-`; `@Bob` is bob too), ending
// where the id's characters end (`@bob,` and `@bob's` are bob).
const MENTION = /(?<![\p{L}\p{N}_.@-])@([a-z0-9][a-z0-9_-]{0,63})(?![a-z0-9_-])/giu;

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
