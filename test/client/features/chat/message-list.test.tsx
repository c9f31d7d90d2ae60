import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
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

const more = (from: number, count: number, who = 'bob'): TimelineMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `m${from + i}`,
    from: who,
    text: `message ${from + i}`,
    sentAt: 1_735_725_600_000 + from + i - 1,
    status: who === 'alice' ? 'pending' : 'sent',
  }));

function renderList() {
  const list = (shown: TimelineMessage[], sends?: number) => (
    <MessageList
      roomName="general"
      messages={shown}
      me="alice"
      hasOlder={false}
      isLoadingOlder={false}
      onLoadOlder={vi.fn()}
      sends={sends}
    />
  );
  const { rerender } = render(list(messages));
  const scroller = screen.getByRole('region', { name: 'Messages in #general' });
  const items = scroller.querySelector('ol')!;
  // As tall as the rows the list holds; the scrolls it asks for are recorded, not made.
  Object.defineProperty(scroller, 'scrollHeight', {
    get: () => parseFloat(items.style.height),
    configurable: true,
  });
  const scrolls: number[] = [];
  scroller.scrollTo = ((options: ScrollToOptions) => scrolls.push(options.top ?? NaN)) as never;
  return {
    scroller,
    scrolls,
    rowsHeld: () => Math.round(parseFloat(items.style.height) / ROW_PX),
    show: (shown: TimelineMessage[], sends?: number) => rerender(list(shown, sends)),
    /** The reader scrolls to `scrollTop` (of the rows the list holds), or to the bottom. */
    scrollTo: (scrollTop?: number) => {
      scroller.scrollTop = scrollTop ?? scroller.scrollHeight - VIEW_PX;
      fireEvent.scroll(scroller);
    },
  };
}

const jumpButton = () => screen.queryByRole('button', { name: /jump to latest/i });

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
    const { scroller, scrolls, rowsHeld } = renderList();
    const field = scroller.appendChild(document.createElement('input'));
    fireEvent.keyDown(field, { key: 'Home' }); // a field's own Home
    expect(rowsHeld()).toBe(TAIL_ROWS);
    field.remove();
    fireEvent.keyDown(scroller, { key: 'Home' });
    expect(rowsHeld()).toBe(ROOM);
    expect(scrolls.at(-1)).toBe(0);
  });

  it('offers a way back once scrolled up, counting the messages that arrive below, and follows again from it', async () => {
    const { scroller, scrolls, show, scrollTo } = renderList();
    scrollTo(); // opened at the bottom
    expect(jumpButton()).toBeNull();

    scrollTo(3_000); // the reader scrolls up
    expect(jumpButton()).toHaveAccessibleName('Jump to latest');

    const arrived = [...messages, ...more(ROOM + 1, 3)];
    show(arrived);
    expect(jumpButton()).toHaveAccessibleName('3 new messages, jump to latest');
    // An older page prepended is not news, nor counted as such.
    const withOlder = [...more(-49, 50), ...arrived];
    show(withOlder);
    expect(jumpButton()).toHaveAccessibleName('3 new messages, jump to latest');
    // The reader stays where they were: the list scrolled only to keep its place as rows
    // were laid out above (the rows before the tail, then the older page).
    expect(scrolls).toEqual([3_000 + (ROOM - TAIL_ROWS) * ROW_PX, 12_000]);

    await userEvent.click(jumpButton()!);
    const bottom = (rows: number) => rows * ROW_PX - VIEW_PX;
    expect(scrolls.at(-1)).toBe(bottom(withOlder.length));
    expect(jumpButton()).toBeNull();
    expect(scroller).toHaveFocus(); // not lost with the button
    // Following again at once: what arrives before the scroll lands is followed too.
    const next = [...withOlder, ...more(ROOM + 4, 1)];
    show(next);
    expect(scrolls.at(-1)).toBe(bottom(next.length));
  });

  it('counts past 99 as "99+", and says one message in the singular', () => {
    const { show, scrollTo } = renderList();
    scrollTo();
    scrollTo(3_000);
    let shown = [...messages, ...more(ROOM + 1, 1)];
    show(shown);
    expect(jumpButton()).toHaveAccessibleName('1 new message, jump to latest');
    shown = [...shown, ...more(ROOM + 2, 99)];
    show(shown);
    expect(jumpButton()).toHaveAccessibleName('99+ new messages, jump to latest');

    scrollTo(); // back at the bottom
    expect(jumpButton()).toBeNull();
    scrollTo(3_000); // up again: counted afresh
    expect(jumpButton()).toHaveAccessibleName('Jump to latest');
  });

  // A message that arrives after the newest and sorts just before it: its sender's clock
  // was behind, or it took longer to get here.
  const late = (before: TimelineMessage): TimelineMessage => ({
    id: 'late',
    from: 'carol',
    text: 'late',
    sentAt: before.sentAt, // sorting before it by id
    status: 'sent',
  });
  it.each<[string, TimelineMessage[][], string]>([
    [
      'new messages history brings in at the bottom as it drops as many loaded from the top (a refetch on reconnect)',
      [[...messages.slice(5), ...more(ROOM + 1, 5)]],
      '5 new messages, jump to latest',
    ],
    [
      'new messages in the same update as an older page, and not the older page',
      [[...more(-49, 50), ...messages, ...more(ROOM + 1, 2)]],
      '2 new messages, jump to latest',
    ],
    [
      'a message that arrives after the newest and sorts just before it',
      [
        [...messages, ...more(ROOM + 1, 2)],
        [...messages, ...more(ROOM + 1, 1), late(more(ROOM + 2, 1)[0]!), ...more(ROOM + 2, 1)],
      ],
      '3 new messages, jump to latest',
    ],
    [
      'no more a message below that was discarded',
      [
        [...messages, ...more(ROOM + 1, 2)],
        [...messages, ...more(ROOM + 2, 1)],
      ],
      '1 new message, jump to latest',
    ],
  ])('counts %s', (_case, updates, name) => {
    const { show, scrollTo } = renderList();
    scrollTo();
    scrollTo(3_000);
    for (const shown of updates) show(shown);
    expect(jumpButton()).toHaveAccessibleName(name);
  });

  it('keeps keyboard focus in the list when the focused button goes as the reader scrolls down', () => {
    const { scroller, scrollTo } = renderList();
    const elsewhere = document.body.appendChild(document.createElement('input'));
    onTestFinished(() => elsewhere.remove());
    scrollTo();
    scrollTo(3_000);
    jumpButton()!.focus(); // tabbed to
    scrollTo(); // then the wheel takes the reader to the bottom
    expect(jumpButton()).toBeNull();
    expect(scroller).toHaveFocus();

    elsewhere.focus(); // focus anywhere else stays where it is
    scrollTo(3_000);
    scrollTo();
    expect(jumpButton()).toBeNull();
    expect(elsewhere).toHaveFocus();
  });

  it('goes to the newest and follows again when the person sends a message, however far up', () => {
    const { scrolls, show, scrollTo } = renderList();
    scrollTo();
    scrollTo(3_000);
    expect(jumpButton()).not.toBeNull();

    const sent = [...messages, ...more(ROOM + 1, 1, 'alice')];
    show(sent, 1);
    expect(scrolls.at(-1)).toBe(sent.length * ROW_PX - VIEW_PX);
    expect(jumpButton()).toBeNull();
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
