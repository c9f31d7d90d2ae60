// Bidi embeddings and overrides (U+202A–U+202E: LRE, RLE, PDF, LRO, RLO) and isolates
// (U+2066–U+2069: LRI, RLI, FSI, PDI) reorder the text around them when drawn: an agent's
// "\u202Egnp.exe" shows as "exe.png". Marks (U+200E, U+200F, U+061C) only lean neutral
// characters one way, reorder no letters, and are kept with every other character.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

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
const INVISIBLE = new RegExp(
  String.raw`(?!(?<=${EMOJI_BEFORE})\u200D(?=\p{Extended_Pictographic}))` +
    String.raw`(?!(?<=${JOINING_BEFORE})[\u200C\u200D](?=${JOINING_AFTER}))` +
    // Those that combine with what comes before them (the grapheme joiner, a Hangul vowel
    // filler, the Khmer vowels) apart: in the class they would read as one character with
    // the one before them.
    String.raw`(?:[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD\u180E\u115F\u3164\uFFA0]|\u034F|\u1160|\u17B4|\u17B5)`,
  'gu',
);

// Combining marks stack over their letter, and drawn above the line they climb over the
// lines before it: "e" and 300 × U+0301 covered the sender and time above. Vietnamese puts
// two on a letter, pointed Hebrew and Sanskrit in Tibetan up to five.
const MAX_MARKS_PER_LETTER = 5;
// A run of marks, with the joiners kept between them (they do not start a new letter).
const MARK_RUN = /\p{M}(?:[\u200C\u200D]*\p{M})*/gu;
const MARK = /\p{M}/u;
const TRAILING_JOINERS = /[\u200C\u200D]+$/u;

/**
 * `text` as it may be shown: without the bidi controls that would make it read otherwise
 * than it is, with the invisible characters that would hide what it is shown, and with at
 * most a few marks on a letter. For text from other people and from agents; the original
 * is not changed.
 */
export function displayText(text: string): string {
  return capMarks(text.replace(BIDI_CONTROLS, '')).replace(INVISIBLE, SHOWN_INVISIBLE);
}

function capMarks(text: string): string {
  return text.replace(MARK_RUN, (run) => {
    let marks = 0;
    let kept = '';
    for (const char of run) {
      if (MARK.test(char) && ++marks > MAX_MARKS_PER_LETTER) {
        return kept.replace(TRAILING_JOINERS, ''); // they joined marks no longer there
      }
      kept += char;
    }
    return kept;
  });
}
