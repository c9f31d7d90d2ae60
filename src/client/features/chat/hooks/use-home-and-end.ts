import type { Virtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import type { StickToBottom } from './use-stick-to-bottom';

interface HomeAndEndOptions {
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  stick: StickToBottom;
  /** Rows the virtualizer holds, and the timeline's index of its first (tailStart). */
  count: number;
  first: number;
  /** Lays out the whole timeline: the reader leaves its newest messages. */
  leaveTail(): void;
}

/**
 * The list's Home and End keys, through the virtualizer. The browser animates its own
 * scroll to either end, and the virtualizer's corrections on the way (rows passed measured
 * taller than estimated, the rows before the tail laid out) stop the animation part way:
 * End in a long room landed hundreds of messages short (test/e2e/chat.test.ts).
 */
export function useHomeAndEnd({ virtualizer, stick, count, first, leaveTail }: HomeAndEndOptions) {
  const homeAfterRender = useRef(false);
  useLayoutEffect(() => {
    if (first !== 0 || !homeAfterRender.current) return;
    homeAfterRender.current = false;
    virtualizer.scrollToIndex(0, { align: 'start' });
  }, [first, virtualizer]);

  return (event: KeyboardEvent) => {
    if (editsText(event.target)) return; // a field inside a row keeps Home and End
    if (event.altKey || event.shiftKey || event.metaKey || count === 0) return;
    if (event.key === 'End') {
      event.preventDefault();
      virtualizer.scrollToIndex(count - 1, { align: 'end' });
    } else if (event.key === 'Home') {
      event.preventDefault();
      stick.atBottom = false;
      if (first === 0) {
        virtualizer.scrollToIndex(0, { align: 'start' });
      } else {
        homeAfterRender.current = true; // once the rows before the tail are laid out
        leaveTail();
      }
    }
  };
}

function editsText(target: EventTarget): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || target.matches('input, textarea, select'))
  );
}
