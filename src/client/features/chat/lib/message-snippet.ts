// Enough words to tell one message from another by ear, few enough to hear quickly.
const SNIPPET_WORDS = 6;
const SNIPPET_MAX_CHARS = 60; // one very long "word" (a link) is cut too

/** The first few words of a message's text, to name what a control acts on. */
export function messageSnippet(text: string): string {
  const words = text.trim().split(/\s+/);
  const whole = words.join(' ');
  let snippet = words.slice(0, SNIPPET_WORDS).join(' ');
  if (snippet.length > SNIPPET_MAX_CHARS) snippet = snippet.slice(0, SNIPPET_MAX_CHARS);
  return snippet.length < whole.length ? `${snippet}…` : snippet;
}
