import { cleanup, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageItem } from '../../../../src/client/features/chat/components/message-item';
import type { TimelineMessage } from '../../../../src/client/features/chat/lib/merge-messages';

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
