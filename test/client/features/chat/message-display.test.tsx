import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageItem } from '../../../../src/client/features/chat/components/message-item';
import { displayText } from '../../../../src/client/lib/display-text';
import { readTextOf, shownTextOf, unisolatedBidiControls } from '../../support/shown-text';

// A message is shown as written, less the bidi controls that would make it read otherwise
// (display-text.ts), as notifications are; and copied as written.

describe('a message’s text', () => {
  it('is shown without bidi overrides and isolates, marks and letters kept', () => {
    render(
      <MessageItem
        message={{
          id: 'm1',
          from: 'mallory',
          text: 'open \u202Egnp.exe\u202C or \u2067@bob\u2069, \u200Fشكرا',
          sentAt: Date.now(),
          status: 'sent',
        }}
        mine={false}
        reader="bob"
      />,
    );
    const text = screen.getByRole('article').querySelector('.message__text')!;
    expect(shownTextOf(text)).toBe('open gnp.exe or @bob, \u200Fشكرا');
    expect(unisolatedBidiControls(text)).toEqual([]);
    expect(screen.getByRole('article')).toHaveAccessibleName(/mentions you$/);
  });

  it.each([
    ['a bidi override', 'open \u202Egnp.exe\u202C now'],
    ['zero-width characters', 'ping @b\u200Bob and gen\u2060eral\uFEFF'],
    ['a tower of marks', `e${'\u0301'.repeat(40)} and a${'\u0308'.repeat(7)}`],
    [
      'all of them, around a mention of the reader',
      '\u2067@bob\u2069\u200B hi e\u0301\u0301\u0301\u0301\u0301\u0301',
    ],
  ])(
    'keeps %s as written in the page, for a selection to copy, and read as shown',
    (_name, written) => {
      render(
        <MessageItem
          message={{ id: 'm1', from: 'mallory', text: written, sentAt: Date.now(), status: 'sent' }}
          mine={false}
          reader="bob"
        />,
      );
      const text = screen.getByRole('article').querySelector('.message__text')!;
      expect(text.textContent).toBe(written);
      expect(shownTextOf(text)).toBe(displayText(written));
      expect(unisolatedBidiControls(text)).toEqual([]);
      // Not the marks past the cap, nor the zero-width space beside its dot, said as well.
      expect(readTextOf(text)).toBe(displayText(written));
    },
  );
});
