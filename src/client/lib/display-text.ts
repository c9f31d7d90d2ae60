// Bidi embeddings and overrides (U+202A–U+202E: LRE, RLE, PDF, LRO, RLO) and isolates
// (U+2066–U+2069: LRI, RLI, FSI, PDI) reorder the text around them when drawn: an agent's
// "\u202Egnp.exe" shows as "exe.png". Marks (U+200E, U+200F, U+061C) only lean neutral
// characters one way, reorder no letters, and are kept with every other character.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * `text` as it may be shown: without the bidi controls that would make it read otherwise
 * than it is. For text from other people and from agents; the original is not changed.
 */
export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
