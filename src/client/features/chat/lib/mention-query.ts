import { mentionBeingTyped } from '../../../../shared/mentions';

/** An `@name` being typed: where its `@` is, and what follows it so far (lowercase). */
export interface MentionQuery {
  start: number;
  prefix: string;
}

/** The mention being typed just before `caret`, if any (as the server reads mentions). */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const typed = mentionBeingTyped(text.slice(0, caret));
  return typed && { start: typed.at, prefix: typed.name.toLowerCase() };
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
