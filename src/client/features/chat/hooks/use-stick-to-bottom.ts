import type { Virtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, type RefObject } from 'react';

/**
 * Keeps a timeline at its newest message: a room opens there, and new messages come into
 * view while the reader is at the bottom. A reader who scrolled up stays where they are.
 *
 * The virtualizer follows appends itself (`followOnAppend`), but with exact size
 * estimates it misses messages that arrive in a burst: its at-the-end check reads a
 * scroll offset that its previous scroll has not updated yet (test/e2e/chat.test.ts). So
 * the list also scrolls itself whenever its newest message changes. Call the returned
 * `onScroll` from the scroller's scroll handler.
 */
export function useStickToBottom(
  scrollRef: RefObject<HTMLElement | null>,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  messages: readonly { id: string }[],
  withinPx: number,
): { onScroll(): void } {
  const opened = useRef(false);
  const atBottom = useRef(true);
  const lastScrollTop = useRef(0);

  // A room opens at its newest message, also when its first page was already cached.
  useLayoutEffect(() => {
    if (opened.current || messages.length === 0) return;
    opened.current = true;
    virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
  }, [messages.length, virtualizer]);

  const newestId = messages.at(-1)?.id;
  useLayoutEffect(() => {
    if (!opened.current || !atBottom.current || newestId === undefined) return;
    virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the newest changes
  }, [newestId]);

  // At the bottom, or moved up by the reader. A scroll event that finds the list short of
  // the bottom while moving down is a follow still landing (the list grew in between),
  // not the reader leaving: it keeps the flag as it was.
  const onScroll = () => {
    const element = scrollRef.current;
    if (!element) return;
    const fromBottom = element.scrollHeight - element.scrollTop - element.clientHeight;
    if (fromBottom <= withinPx) atBottom.current = true;
    else if (element.scrollTop < lastScrollTop.current) atBottom.current = false;
    lastScrollTop.current = element.scrollTop;
  };
  return { onScroll };
}
