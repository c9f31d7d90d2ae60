/** The most characters of a client's topic, filter or refusal reason a log line carries. */
export const MAX_LOGGED_CHARS = 256;

/**
 * `text` cut for a log line, saying how much was left out: a topic or filter may be 65,535
 * bytes long, and a refusal logged the topic twice (as a field and in its reason), so one
 * client could write lines of 130 KB, as often as its publishes were refused.
 */
export function clipped(text: string, max = MAX_LOGGED_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
