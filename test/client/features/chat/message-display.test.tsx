import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageItem } from '../../../../src/client/features/chat/components/message-item';

// A message is shown as written, less the bidi controls that would make it read otherwise
// (display-text.ts), as notifications are.

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
    const text = screen.getByRole('article').querySelector('.message__text');
    expect(text?.textContent).toBe('open gnp.exe or @bob, \u200Fشكرا');
    expect(screen.getByRole('article')).toHaveAccessibleName(/mentions you$/);
  });
});
