import { describe, expect, it } from 'vitest';
import { hasVisibleText } from '../../src/shared/visible-text';

describe('hasVisibleText', () => {
  it.each([
    ['', false],
    ['   \n\t', false],
    ['\u00a0\u2003\u3000', false], // no-break, em and ideographic spaces
    ['\u200b', false], // zero-width space
    ['\u200c\u200d\u2060\ufeff', false], // joiners, word joiner, byte order mark
    ['\u200e\u200f\u202e\u2066', false], // bidi marks, override and isolate
    ['\u00ad\u034f\u180e', false], // soft hyphen, grapheme joiner, Mongolian vowel separator
    ['\u3164\uffa0\u115f', false], // Hangul fillers
    ['\ufe0f\u{e0041}', false], // a variation selector, a tag character
    ['\u0000\u0007', false], // controls
    ['\u2800', false], // braille blank
    ['\u200bhi\u200b', true],
    ['.', true],
    ['שלום', true],
    ['❤️', true], // a heart with its variation selector
    ['👍🏽', true],
    ['\u0301', true], // a combining accent alone is drawn on a dotted circle
  ])('%j → %s', (text, visible) => {
    expect(hasVisibleText(text)).toBe(visible);
  });
});
