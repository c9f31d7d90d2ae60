import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatMessageTime } from '../../../../src/client/features/chat/components/message-item';
import { MessageList } from '../../../../src/client/features/chat/components/message-list';
import { TAIL_ROWS } from '../../../../src/client/features/chat/hooks/use-stick-to-bottom';
import type { TimelineMessage } from '../../../../src/client/features/chat/lib/merge-messages';
import { spokenIn } from '../../support/live-region';

// jsdom lays nothing out: every row is ROW_PX tall and the scroller VIEW_PX, so that the
// list's height says how many rows the virtualizer holds.
const ROW_PX = 60;
const VIEW_PX = 600;
const ROOM = TAIL_ROWS + 100;

const messages: TimelineMessage[] = Array.from({ length: ROOM }, (_, i) => ({
  id: `m${i + 1}`,
  from: 'bob',
  text: `message ${i + 1}`,
  sentAt: 1_735_725_600_000 + i,
  status: 'sent',
}));

function renderList() {
  render(
    <MessageList
      roomName="general"
      messages={messages}
      me="alice"
      hasOlder={false}
      isLoadingOlder={false}
      onLoadOlder={vi.fn()}
    />,
  );
  const scroller = screen.getByRole('region', { name: 'Messages in #general' });
  const list = scroller.querySelector('ol')!;
  return { scroller, rowsHeld: () => Math.round(parseFloat(list.style.height) / ROW_PX) };
}

describe('MessageList', () => {
  beforeEach(() => {
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (
      this: HTMLElement,
    ) {
      return this.getAttribute('role') === 'region' ? VIEW_PX : ROW_PX;
    });
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(VIEW_PX);
  });
  afterEach(() => vi.restoreAllMocks());

  it('holds only the newest messages while following, and all of them once the reader scrolls up', () => {
    const { scroller, rowsHeld } = renderList();
    expect(rowsHeld()).toBe(TAIL_ROWS);
    Object.defineProperty(scroller, 'scrollHeight', {
      value: TAIL_ROWS * ROW_PX,
      configurable: true,
    });

    scroller.scrollTop = TAIL_ROWS * ROW_PX - VIEW_PX; // at the bottom: still following
    fireEvent.scroll(scroller);
    expect(rowsHeld()).toBe(TAIL_ROWS);

    scroller.scrollTop -= 1_000;
    fireEvent.scroll(scroller);
    expect(rowsHeld()).toBe(ROOM);
  });

  it('holds all of them once the scrollbar is pressed, not on a press in the messages', () => {
    const { scroller, rowsHeld } = renderList();
    fireEvent.pointerDown(scroller.querySelector('article')!);
    expect(rowsHeld()).toBe(TAIL_ROWS);
    fireEvent.pointerDown(scroller); // the scroller itself: its scrollbar
    expect(rowsHeld()).toBe(ROOM);
  });

  it('holds all of them on Home, whose scroll then goes to the first message', () => {
    const { scroller, rowsHeld } = renderList();
    const scrolls: number[] = [];
    scroller.scrollTo = ((options: ScrollToOptions) => scrolls.push(options.top ?? NaN)) as never;
    const field = scroller.appendChild(document.createElement('input'));
    fireEvent.keyDown(field, { key: 'Home' }); // a field's own Home
    expect(rowsHeld()).toBe(TAIL_ROWS);
    field.remove();
    fireEvent.keyDown(scroller, { key: 'Home' });
    expect(rowsHeld()).toBe(ROOM);
    expect(scrolls.at(-1)).toBe(0);
  });

  it('announces each discard, even one worded as the last', async () => {
    const sentAt = 1_735_725_600_000;
    const refused = (id: string): TimelineMessage => ({
      id,
      from: 'alice',
      text: 'said twice',
      sentAt,
      status: 'refused',
    });
    render(
      <MessageList
        roomName="general"
        messages={[refused('r1'), refused('r2')]} // alike, within the same minute
        me="alice"
        hasOlder={false}
        isLoadingOlder={false}
        onLoadOlder={vi.fn()}
        onDiscard={vi.fn()}
      />,
    );
    const said = spokenIn(screen.getByRole('status'));
    const [first, second] = screen.getAllByRole('button', { name: /^Discard/ });

    const announcement = `Discarded message sent ${formatMessageTime(sentAt)}: said twice`;
    await userEvent.click(first!);
    await waitFor(() => expect(said).toEqual([announcement]));
    await userEvent.click(second!);
    // A live region is spoken when it changes: emptied, then said again.
    await waitFor(() => expect(said).toEqual([announcement, '', announcement]));
  });
});
