// Bidi embeddings and overrides (U+202A–U+202E: LRE, RLE, PDF, LRO, RLO) and isolates
// (U+2066–U+2069: LRI, RLI, FSI, PDI) reorder the text around them when drawn: an agent's
// "\u202Egnp.exe" shows as "exe.png". Marks (U+200E, U+200F, U+061C) only lean neutral
// characters one way, reorder no letters, and are kept with every other character.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

// Characters that draw nothing: "@b\u200Bob" looks like "@bob" and mentions nobody, and
// "gen\u200Beral" like the room "general". Zero-width space, non-joiner and joiner, word
// joiner, the invisible math operators and the BOM; and, from a second QA pass, the soft
// hyphen, the combining grapheme joiner, the Mongolian vowel separator, the Hangul fillers
// and the Khmer inherent vowels (`@b\u00ADob` looked like `@bob`). Variation selectors and
// tag characters are left: emoji and flags are made of them. Shown as a dot rather than dropped, so
// the text reads as what it is: dropped, "@b\u200Bob" would be marked as mentioning bob,
// who was never notified. A dot is, as the invisible character was, no part of a name
// (mentions.ts), so the mentions marked are the ones the server read.
export const SHOWN_INVISIBLE = '\u00B7';

// The joiners do draw something between the letters of the scripts that join or stack
// (Persian "می‌خواهم", Malayalam chillus, Sinhala conjuncts) and between emoji
// (👨‍👩‍👧 is one glyph): kept there. In the alphabets below, where they change nothing, a
// joiner is one of the invisible characters above. Marks count by their letter's side
// (U+0301 is of no script of its own).
const NO_JOINING_SCRIPTS = String.raw`\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Armenian}\p{sc=Georgian}\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}`;
const JOINING_BEFORE = String.raw`[\p{L}\p{M}](?<![${NO_JOINING_SCRIPTS}])`;
const JOINING_AFTER = String.raw`(?![${NO_JOINING_SCRIPTS}])[\p{L}\p{M}]`;
// An emoji's end: the pictograph, a skin tone or the emoji-style selector U+FE0F (❤️‍🔥).
const EMOJI_BEFORE = String.raw`[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]`;
// Those that combine with what comes before them (the grapheme joiner, a Hangul vowel
// filler, the Khmer vowels) apart: in the class they would read as one character with the
// one before them.
const INVISIBLE_CHAR = String.raw`(?:[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD\u180E\u115F\u3164\uFFA0]|\u034F|\u1160|\u17B4|\u17B5)`;
const INVISIBLE = new RegExp(
  String.raw`(?!(?<=${EMOJI_BEFORE})\u200D(?=\p{Extended_Pictographic}))` +
    String.raw`(?!(?<=${JOINING_BEFORE})[\u200C\u200D](?=${JOINING_AFTER}))` +
    INVISIBLE_CHAR,
  'gu',
);

// Combining marks stack over their letter, and drawn above the line they climb over the
// lines before it: "e" and 300 × U+0301 covered the sender and time above. Vietnamese puts
// two on a letter, pointed Hebrew and Sanskrit in Tibetan up to five.
const MAX_MARKS_PER_LETTER = 5;
// A run of marks, with the joiners kept between them (they do not start a new letter).
const MARK_RUN = /\p{M}(?:[\u200C\u200D]*\p{M})*/gu;
const MARK = /\p{M}/u;

// What needs any change at all: most text has none of it, and costs one test.
const CHANGED = new RegExp(
  `${BIDI_CONTROL.source}|${INVISIBLE_CHAR}|\\p{M}{${MAX_MARKS_PER_LETTER + 1}}`,
  'u',
);

/**
 * A stretch of a text and what is shown of it: `shown` is `text` where nothing changes,
 * the dot for a character that draws nothing, and '' for what is not shown at all (a
 * bidi control, the marks past the cap).
 */
export interface ShownPiece {
  text: string;
  shown: string;
}

/**
 * `text` as it may be shown: without the bidi controls that would make it read otherwise
 * than it is, with the invisible characters that would hide what it is shown, and with at
 * most a few marks on a letter. For text from other people and from agents; the original
 * is not changed.
 */
export function displayText(text: string): string {
  return shownOf(displayPieces(text));
}

/** What `pieces` show, end to end. */
export const shownOf = (pieces: readonly ShownPiece[]): string =>
  pieces.map((piece) => piece.shown).join('');

const KEPT = 0;
const DROPPED = 1;
const DOTTED = 2;

/**
 * `text` cut where displayText changes it, each piece with what is shown of it, so that
 * what is shown can be drawn over what was written (components/shown-text.tsx): copied,
 * a message is what its sender wrote. The pieces' `text` put together is `text`, their
 * `shown` displayText's.
 */
export function displayPieces(text: string): ShownPiece[] {
  if (!CHANGED.test(text)) return text === '' ? [] : [{ text, shown: text }];
  // What becomes of each UTF-16 unit of `text`. The steps run one after the other as
  // they always have, each on what the one before left (a mark run may close over a
  // removed control; an invisible character's neighbours are the ones still shown), so
  // each keeps, for each unit it leaves, where in `text` it came from.
  const fate = new Uint8Array(text.length);
  const [withoutControls, fromText] = keepUnits(text, (unit) => !BIDI_CONTROL.test(unit));
  for (let i = 0; i < text.length; i++) if (BIDI_CONTROL.test(text[i]!)) fate[i] = DROPPED;

  const cut = new Set<number>();
  for (const match of withoutControls.matchAll(MARK_RUN)) {
    for (const at of marksPastTheCap(match[0])) cut.add(match.index + at);
  }
  const [capped, fromCapped] = keepUnits(withoutControls, (_unit, at) => !cut.has(at));
  for (const at of cut) fate[fromText[at]!] = DROPPED;

  for (const match of capped.matchAll(INVISIBLE)) {
    for (let at = 0; at < match[0].length; at++) {
      fate[fromText[fromCapped[match.index + at]!]!] = DOTTED;
    }
  }
  return piecesOf(text, fate);
}

/** The units of `text` that `keep` keeps, and the index in `text` of each. */
function keepUnits(text: string, keep: (unit: string, at: number) => boolean): [string, number[]] {
  let kept = '';
  const from: number[] = [];
  for (let at = 0; at < text.length; at++) {
    if (!keep(text[at]!, at)) continue;
    kept += text[at];
    from.push(at);
  }
  return [kept, from];
}

/**
 * Where in a run of marks (MARK_RUN) the units not shown are: the marks past the cap, the
 * joiners between them, and the joiners left at the end of what is kept (they joined
 * marks no longer there).
 */
function marksPastTheCap(run: string): number[] {
  let marks = 0;
  let keptEnd = 0; // the end of the last mark kept
  let at = 0;
  for (const char of run) {
    if (MARK.test(char)) {
      if (++marks > MAX_MARKS_PER_LETTER) {
        return Array.from({ length: run.length - keptEnd }, (_, i) => keptEnd + i);
      }
      keptEnd = at + char.length;
    }
    at += char.length;
  }
  return [];
}

/**
 * Runs of units kept, dropped or dotted as one piece each: each piece shown otherwise is
 * drawn with elements of its own, and 4,000 zero-width spaces as as many pieces took
 * seconds to lay out in a room. A dotted run shows a dot for each of its units (every
 * invisible character is one).
 */
function piecesOf(text: string, fate: Uint8Array): ShownPiece[] {
  const pieces: ShownPiece[] = [];
  let start = 0;
  for (let at = 1; at <= text.length; at++) {
    if (at < text.length && fate[at] === fate[start]) continue;
    const piece = text.slice(start, at);
    const shown =
      fate[start] === KEPT
        ? piece
        : fate[start] === DOTTED
          ? SHOWN_INVISIBLE.repeat(piece.length)
          : '';
    pieces.push({ text: piece, shown });
    start = at;
  }
  return pieces;
}

/**
 * `pieces` in consecutive parts of what they show, `lengths` long each (a message cut
 * where it mentions its reader): a kept piece is cut where a part ends, and one that
 * shows nothing goes with the part before it.
 */
export function splitPieces(
  pieces: readonly ShownPiece[],
  lengths: readonly number[],
): ShownPiece[][] {
  const parts: ShownPiece[][] = lengths.map(() => []);
  const last = lengths.length - 1;
  if (last < 0) return parts;
  let part = 0;
  let room = lengths[0] ?? 0;
  for (const whole of pieces) {
    let piece = whole;
    for (;;) {
      while (room === 0 && piece.shown.length > 0 && part < last) room = lengths[++part]!;
      if (piece.shown.length <= room || part === last) {
        parts[part]!.push(piece);
        room = Math.max(0, room - piece.shown.length);
        break;
      }
      // Longer than the part has room for: a kept piece, its own text, or a run of dots,
      // one for each unit of its text (one that shows nothing always has room).
      parts[part]!.push({ text: piece.text.slice(0, room), shown: piece.shown.slice(0, room) });
      piece = { text: piece.text.slice(room), shown: piece.shown.slice(room) };
      room = 0;
    }
  }
  return parts;
}
