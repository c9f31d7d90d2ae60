/** An `@name` being typed: where its `@` is, and what follows it so far (lowercase). */
export interface MentionQuery {
  start: number;
  prefix: string;
}

// An `@` that starts a word, as a mention's does (shared/mentions.ts), then id characters
// up to the caret: `hi @bo|` is being typed, `bob@de|` (an address) is not.
const TYPING_MENTION = /(?<![\p{L}\p{N}_.@/:-])@([A-Za-z0-9_-]{0,64})$/u;

/** The mention being typed just before `caret`, if any. */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const match = TYPING_MENTION.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[0].length, prefix: match[1]!.toLowerCase() };
}

/** The people whose id starts with what was typed, the reader left out, at most `max`. */
export function mentionSuggestions(
  people: readonly string[],
  query: MentionQuery,
  me: string,
  max = 6,
): string[] {
  return people.filter((user) => user !== me && user.startsWith(query.prefix)).slice(0, max);
}
