// Half of a UTF-16 surrogate pair without its other half: JSON (`"\ud800"`) and JavaScript
// strings can hold one, but no UTF-8 can, so it is written to the database, hashed or sent
// on the wire as U+FFFD, and the text kept is no longer the text given.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` holds a lone surrogate (String.prototype.isWellFormed is ES2024). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
