import { defaultRangeExtractor, type Range, type Virtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useState, type RefObject } from 'react';

/** Whether a timeline follows its newest message; one per list, changed in place. */
export interface StickToBottom {
  /** The room has been scrolled to its newest message once. */
  opened: boolean;
  /** At the bottom, or not moved up by the reader since. */
  atBottom: boolean;
  /** The scroller has been seen at the bottom: the room opened there, or came back. */
  landed: boolean;
  lastScrollTop: number;
  /** The virtualizer's `rangeExtractor`. */
  rangeExtractor(range: Range): number[];
  /** Call from the scroller's scroll handler. */
  onScroll(): void;
}

/**
 * Keeps a timeline at its newest message: a room opens there, and new messages come into
 * view while the reader is at the bottom. A reader who scrolled up stays where they are
 * until they ask for the newest (`followNewest`: the list's Jump button, or sending one).
 * Pass the result's `rangeExtractor` to the virtualizer, then call `useFollowNewest`.
 *
 * While following, the rows rendered are the last ones, whatever scroll position the
 * virtualizer last read. Messages that arrive are rendered in the commit that adds them,
 * and the scroll to the bottom after it shows rows already there. With the virtualizer's
 * own range that commit rendered rows about to scroll away, and the scroll event rendered
 * and laid out the list a second time, every frame of a busy room.
 */
export function useStickToBottom(
  scrollRef: RefObject<HTMLElement | null>,
  withinPx: number,
): StickToBottom {
  const [stick] = useState<StickToBottom>(() => {
    const state: StickToBottom = {
      opened: false,
      atBottom: true,
      landed: false,
      lastScrollTop: 0,
      rangeExtractor: (range) =>
        state.landed && state.atBottom ? rowsAtEnd(range) : defaultRangeExtractor(range),
      // A scroll event that finds the list short of the bottom while moving down is a
      // follow still landing (the list grew in between), not the reader leaving: it keeps
      // the flag as it was.
      onScroll: () => {
        const element = scrollRef.current;
        if (!element) return;
        const fromBottom = element.scrollHeight - element.scrollTop - element.clientHeight;
        if (fromBottom <= withinPx) state.atBottom = state.landed = true;
        else if (element.scrollTop < state.lastScrollTop) state.atBottom = false;
        state.lastScrollTop = element.scrollTop;
      },
    };
    return state;
  });
  return stick;
}

/** As many rows as the virtualizer's range and its overscan hold, ending at the last. */
export function rowsAtEnd(range: Range): number[] {
  const visible = range.endIndex - range.startIndex + 1;
  const start = Math.max(0, range.count - visible - range.overscan);
  const rows = new Array<number>(range.count - start);
  for (let i = 0; i < rows.length; i++) rows[i] = start + i;
  return rows;
}

/** The most rows a following list lays out: many screens, a small part of a busy room. */
export const TAIL_ROWS = 500;

/**
 * The first of a timeline's `length` messages a list lays out: while following, only the
 * newest `TAIL_ROWS`, so each new message costs the virtualizer (which lays out all of its
 * rows whenever they change) the same in a room of any length; all of them otherwise.
 */
export function tailStart(length: number, following: boolean): number {
  return following ? Math.max(0, length - TAIL_ROWS) : 0;
}

/**
 * Scrolls to the newest message when a room opens (also when its first page was already
 * cached) and whenever the newest message changes while following.
 *
 * The virtualizer follows appends itself (`followOnAppend`), but with exact size
 * estimates it misses messages that arrive in a burst: its at-the-end check reads a
 * scroll offset that its previous scroll has not updated yet (test/e2e/chat.test.ts).
 */
export function useFollowNewest(
  stick: StickToBottom,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  count: number,
  newestId: string | undefined,
): void {
  useLayoutEffect(() => {
    if (stick.opened || count === 0) return;
    stick.opened = true;
    virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [stick, count, virtualizer]);

  useLayoutEffect(() => {
    if (!stick.opened || !stick.atBottom || newestId === undefined) return;
    virtualizer.scrollToIndex(count - 1, { align: 'end' });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the newest changes
  }, [newestId]);
}

/**
 * Goes to the newest message and follows again from now: messages that arrive before the
 * scroll lands are followed too (a busy room would otherwise have grown past where it
 * lands, and the list stayed put). End instead goes to the newest as it is.
 */
export function followNewest(
  stick: StickToBottom,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  count: number,
): void {
  stick.atBottom = true;
  if (count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
}
