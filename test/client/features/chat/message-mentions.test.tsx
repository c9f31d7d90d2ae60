import { cleanup, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageItem } from '../../../../src/client/features/chat/components/message-item';
import type { TimelineMessage } from '../../../../src/client/features/chat/lib/merge-messages';
import { shownTextOf } from '../../support/shown-text';

// A message that names its reader (`@bob` for bob) marks the name and says so, as the
// server notifies bob of it (mention-notifications.ts).

const message = (from: string, text: string): TimelineMessage => ({
  id: 'm1',
  from,
  text,
  sentAt: Date.now(),
  status: 'sent',
});

function renderFor(reader: string, from: string, text: string) {
  render(<MessageItem message={message(from, text)} mine={from === reader} reader={reader} />);
  return screen.getByRole('article');
}

describe('a mention of the reader', () => {
  it('is marked, every time, and the message says it mentions you', () => {
    const article = renderFor('bob', 'alice', 'hey @Bob, and again @bob.');
    expect(article).toHaveAccessibleName(/^alice at .+, mentions you$/);
    expect(within(article).getAllByText(/^@bob$/i, { selector: 'mark' })).toHaveLength(2);
    expect(article.querySelector('.message__text')).toHaveTextContent('hey @Bob, and again @bob.');
  });

  it('is not made of someone else’s name, an address or the reader’s own message', () => {
    for (const [reader, from, text] of [
      ['bob', 'alice', '@bobby and @carol'],
      ['bob', 'alice', 'write to bob@demo'],
      ['bob', 'bob', 'note to self @bob'],
    ] as const) {
      const article = renderFor(reader, from, text);
      expect(article).not.toHaveAccessibleName(/mentions you/);
      expect(article.querySelector('mark')).toBeNull();
      expect(article.querySelector('.message__text')).toHaveTextContent(text);
      cleanup();
    }
  });
});

describe('what a message shows of characters that draw nothing or stack', () => {
  it('shows a name split by a zero-width character as split, and not as a mention', () => {
    const article = renderFor('bob', 'alice', 'ping @b\u200Bob');
    expect(article).not.toHaveAccessibleName(/mentions you/);
    expect(article.querySelector('mark')).toBeNull();
    const text = article.querySelector('.message__text')!;
    expect(shownTextOf(text)).toBe('ping @b\u00B7ob');
    expect(text.textContent).toBe('ping @b\u200Bob'); // copied as written
  });

  it('still marks a mention with one beside it', () => {
    const article = renderFor('bob', 'alice', '\u200B@bob\u200B hi');
    expect(article).toHaveAccessibleName(/mentions you$/);
    expect(within(article).getByText('@bob', { selector: 'mark' })).toBeInTheDocument();
  });

  it('keeps an emoji joined', () => {
    const article = renderFor('bob', 'alice', 'team 👨\u200D👩\u200D👧');
    expect(article.querySelector('.message__text')?.textContent).toBe('team 👨\u200D👩\u200D👧');
  });

  it('cuts a tower of combining marks to a few on its letter', () => {
    const article = renderFor('bob', 'alice', `e${'\u0301'.repeat(300)} @bob`);
    const text = article.querySelector('.message__text')!;
    expect(shownTextOf(text)).toBe(`e${'\u0301'.repeat(5)} @bob`);
    expect(text.textContent).toBe(`e${'\u0301'.repeat(300)} @bob`);
    expect(within(article).getByText('@bob', { selector: 'mark' })).toBeInTheDocument();
  });
});
