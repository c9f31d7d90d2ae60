import { describe, expect, it } from 'vitest';
import {
  displayPieces,
  displayText,
  SHOWN_INVISIBLE,
  shownOf,
  splitPieces,
} from '../../../src/client/lib/display-text';
import { partsMentioning } from '../../../src/shared/mentions';
import { MAX_CHAT_TEXT_LENGTH } from '../../../src/shared/schemas';

const DOT = SHOWN_INVISIBLE;

/**
 * `text` shows as `shown`, and its pieces (what components/shown-text.tsx draws) hold all
 * of `text`, in order, each with what is shown of it: copied, it is what was written.
 */
function expectShown(text: string, shown: string) {
  expect(displayText(text)).toBe(shown);
  const pieces = displayPieces(text);
  expect(pieces.map((piece) => piece.text).join('')).toBe(text);
  expect(shownOf(pieces)).toBe(shown);
  for (const piece of pieces) {
    // A piece is shown as written, as a dot for each of its units, or not at all.
    expect([piece.text, DOT.repeat(piece.text.length), '']).toContain(piece.shown);
  }
}

describe('displayText: bidi controls', () => {
  it.each([
    ['an override spoofing a file type', '\u202Egnp.exe', 'gnp.exe'],
    ['every embedding and override', 'a\u202Ab\u202Bc\u202Cd\u202De\u202Ef', 'abcdef'],
    ['every isolate', 'a\u2066b\u2067c\u2068d\u2069e', 'abcde'],
    ['plain text, unchanged', 'compile release 1.2', 'compile release 1.2'],
    ['right-to-left letters, unchanged', 'שלום עולם', 'שלום עולם'],
    [
      'bidi marks, which reorder no letters, kept',
      'a\u200Eb\u200Fc\u061Cd',
      'a\u200Eb\u200Fc\u061Cd',
    ],
    ['the neighbours of the range, kept', '\u2029\u202F\u2065\u206A', '\u2029\u202F\u2065\u206A'],
    ['emoji and other astral characters, kept', '🚀 deploy \u{1D400}', '🚀 deploy \u{1D400}'],
    ['nothing', '', ''],
  ])('%s', (_name, text, shown) => {
    expectShown(text, shown);
  });
});

describe('displayText: characters that draw nothing', () => {
  it.each([
    ['a zero-width space inside a name', '@b\u200Bob', `@b${DOT}ob`],
    ['a word joiner', 'gen\u2060eral', `gen${DOT}eral`],
    ['a byte order mark', '\uFEFFhello', `${DOT}hello`],
    ['an invisible operator', 'x\u2062y', `x${DOT}y`],
    ['a soft hyphen inside a name', '@b\u00ADob', `@b${DOT}ob`],
    ['a combining grapheme joiner', 'cgj\u034Fhere', `cgj${DOT}here`],
    ['a Mongolian vowel separator', 'a\u180Eb', `a${DOT}b`],
    ['a Hangul filler', '\u3164name', `${DOT}name`],
    ['a Khmer inherent vowel', 'a\u17B4b', `a${DOT}b`],
    ['a joiner between Latin letters', 'a\u200Db', `a${DOT}b`],
    ['a non-joiner between Latin letters', 'a\u200Cb', `a${DOT}b`],
    ['a joiner between Cyrillic letters', 'б\u200Dб', `б${DOT}б`],
    ['a joiner at the end', 'ok\u200D', `ok${DOT}`],
    ['a joiner after an emoji, before a letter', '🚀\u200Da', `🚀${DOT}a`],
    // Where the joiners draw something, they stay.
    ['a family: one emoji of three', '👨\u200D👩\u200D👧', '👨\u200D👩\u200D👧'],
    ['a skin tone before the joiner', '👨🏽\u200D💻', '👨🏽\u200D💻'],
    ['the emoji selector before the joiner', '❤\uFE0F\u200D🔥', '❤\uFE0F\u200D🔥'],
    ['a gendered emoji', '🏃\u200D♀\uFE0F', '🏃\u200D♀\uFE0F'],
    ['a Persian non-joiner', 'می\u200Cخواهم', 'می\u200Cخواهم'],
    ['a Devanagari joiner after a virama', 'क्\u200Dष', 'क्\u200Dष'],
    ['a Malayalam chillu', 'ന്\u200D', `ന്${DOT}`], // ends the text: joins nothing
    ['a Sinhala conjunct', 'ක්\u200Dෂ', 'ක්\u200Dෂ'],
  ])('%s', (_name, text, shown) => {
    expectShown(text, shown);
  });

  it('shows a name split by one as what it is: not a mention of the name', () => {
    // The server reads "@b" there (mentions.ts): so is it marked, and not bob.
    expect(partsMentioning(displayText('hi @b\u200Bob'), 'bob')).toBeNull();
    expect(partsMentioning('hi @b\u200Bob', 'b')).toEqual(
      partsMentioning(displayText('hi @b\u200Bob'), 'b')?.map((part) => ({
        ...part,
        text: part.text.replace(DOT, '\u200B'),
      })),
    );
    expect(partsMentioning(displayText('\u200B@bob\u200B'), 'bob')).toEqual([
      { text: DOT, mentionsReader: false },
      { text: '@bob', mentionsReader: true },
      { text: DOT, mentionsReader: false },
    ]);
  });
});

describe('displayText: combining marks', () => {
  const ACUTE = '\u0301';
  it.each([
    ['a tower of 300 on one letter, cut to five', `e${ACUTE.repeat(300)}!`, `e${ACUTE.repeat(5)}!`],
    ['five, kept', `e${ACUTE.repeat(5)}`, `e${ACUTE.repeat(5)}`],
    ['one on each letter, kept', `e${ACUTE}e${ACUTE}e${ACUTE}`, `e${ACUTE}e${ACUTE}e${ACUTE}`],
    ['Vietnamese, decomposed', 'Vie\u0323\u0302t', 'Vie\u0323\u0302t'],
    ['pointed Hebrew', 'בְּרֵאשִׁ֖ית', 'בְּרֵאשִׁ֖ית'],
    ['a keycap emoji', '1\uFE0F\u20E3', '1\uFE0F\u20E3'],
    [
      'a tower with joiners between its marks, cut to five marks',
      `ب${'\u064E\u200C'.repeat(50)}ب`,
      `ب${'\u064E\u200C'.repeat(5)}ب`,
    ],
    [
      'a tower with zero-width spaces between its marks: a dot, at most five marks on each',
      `e${ACUTE.repeat(9)}\u200B${ACUTE.repeat(9)}`,
      `e${ACUTE.repeat(5)}${DOT}${ACUTE.repeat(5)}`,
    ],
  ])('%s', (_name, text, shown) => {
    expectShown(text, shown);
  });
});

describe('displayPieces', () => {
  const ACUTE = '\u0301';

  it('cuts the text where it is shown otherwise, and only there', () => {
    expect(displayPieces('plain')).toEqual([{ text: 'plain', shown: 'plain' }]);
    expect(displayPieces('')).toEqual([]);
    expect(displayPieces('\u202Egnp.exe')).toEqual([
      { text: '\u202E', shown: '' },
      { text: 'gnp.exe', shown: 'gnp.exe' },
    ]);
    expect(displayPieces('a\u200B\u2060b')).toEqual([
      { text: 'a', shown: 'a' },
      { text: '\u200B\u2060', shown: DOT + DOT },
      { text: 'b', shown: 'b' },
    ]);
    expect(displayPieces(`e${ACUTE.repeat(8)}!`)).toEqual([
      { text: `e${ACUTE.repeat(5)}`, shown: `e${ACUTE.repeat(5)}` },
      { text: ACUTE.repeat(3), shown: '' },
      { text: '!', shown: '!' },
    ]);
  });

  it('makes a run of invisible characters one piece, however long: each piece is drawn with elements of its own', () => {
    const invisible = '\u200B'.repeat(MAX_CHAT_TEXT_LENGTH);
    expect(displayPieces(invisible)).toEqual([
      { text: invisible, shown: DOT.repeat(MAX_CHAT_TEXT_LENGTH) },
    ]);
  });

  it('counts marks across a bidi control, as displayText always has', () => {
    // The control goes first: the marks on either side of it are one run on one letter.
    expect(displayPieces(`e${ACUTE.repeat(4)}\u202E${ACUTE.repeat(4)}`)).toEqual([
      { text: `e${ACUTE.repeat(4)}`, shown: `e${ACUTE.repeat(4)}` },
      { text: '\u202E', shown: '' },
      { text: ACUTE, shown: ACUTE },
      { text: ACUTE.repeat(3), shown: '' },
    ]);
  });
});

describe('splitPieces', () => {
  const pieces = displayPieces('hi \u200B@bob\u202E!');

  it('cuts a run of dots where a part ends, one unit written for each dot', () => {
    const dots = displayPieces('\u200B\u200C\u2060');
    expect(splitPieces(dots, [1, 2])).toEqual([
      [{ text: '\u200B', shown: DOT }],
      [{ text: '\u200C\u2060', shown: DOT + DOT }],
    ]);
  });

  it('cuts the pieces where what they show is cut, a piece that shows nothing kept with the part before', () => {
    const shown = shownOf(pieces); // `hi ·@bob!`
    expect(shown).toBe(`hi ${DOT}@bob!`);
    const parts = splitPieces(pieces, [4, 4, 1]);
    expect(parts.map(shownOf)).toEqual([`hi ${DOT}`, '@bob', '!']);
    expect(parts.map((part) => part.map((piece) => piece.text).join(''))).toEqual([
      'hi \u200B',
      '@bob\u202E',
      '!',
    ]);
  });

  it('gives the last part what is left', () => {
    expect(splitPieces(pieces, [2, 1]).map(shownOf)).toEqual(['hi', ` ${DOT}@bob!`]);
    expect(splitPieces(pieces, [])).toEqual([]);
  });
});
