import { describe, expect, it } from 'vitest';
import { withoutBidiControls } from '../../../src/client/lib/display-text';

describe('withoutBidiControls', () => {
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
    expect(withoutBidiControls(text)).toBe(shown);
  });
});
