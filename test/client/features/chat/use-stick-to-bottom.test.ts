import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  rowsAtEnd,
  useStickToBottom,
} from '../../../../src/client/features/chat/hooks/use-stick-to-bottom';

const WITHIN_PX = 80;

/** A scroller of `scrollHeight` px of content in a 200 px viewport, at `scrollTop`. */
function scroller(scrollTop: number, scrollHeight: number): HTMLElement {
  const element = document.createElement('div');
  Object.defineProperty(element, 'scrollHeight', { value: scrollHeight });
  Object.defineProperty(element, 'clientHeight', { value: 200 });
  element.scrollTop = scrollTop;
  return element;
}

function setUp() {
  const scrollRef: { current: HTMLElement | null } = { current: null };
  const { result } = renderHook(() => useStickToBottom(scrollRef, WITHIN_PX));
  const scrollTo = (scrollTop: number, scrollHeight = 1_000) => {
    scrollRef.current = scroller(scrollTop, scrollHeight);
    result.current.onScroll();
  };
  return { stick: () => result.current, scrollTo };
}

// The virtualizer's range at a scroll position it read before 28 messages were appended:
// rows 70–79 in view, of 128 now.
const STALE_RANGE = { startIndex: 70, endIndex: 79, overscan: 4, count: 128 };
const around = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('useStickToBottom', () => {
  it('renders the rows around the scroll position until the list has been seen at the bottom', () => {
    const { stick } = setUp();
    expect(stick().rangeExtractor(STALE_RANGE)).toEqual(around(66, 83));
  });

  it('renders the last rows while following, wherever the virtualizer last read the scroll', () => {
    const { stick, scrollTo } = setUp();
    scrollTo(800);
    expect(stick().rangeExtractor(STALE_RANGE)).toEqual(around(114, 127));
    expect(stick().rangeExtractor).toBe(stick().rangeExtractor); // one function per list
  });

  it('goes back to the rows around the scroll position once the reader scrolls up', () => {
    const { stick, scrollTo } = setUp();
    scrollTo(800);
    scrollTo(500);
    expect(stick().atBottom).toBe(false);
    expect(stick().rangeExtractor(STALE_RANGE)).toEqual(around(66, 83));
    scrollTo(790); // back within reach of the bottom
    expect(stick().rangeExtractor(STALE_RANGE)).toEqual(around(114, 127));
  });

  it('keeps following when a scroll lands short of a list that grew in between', () => {
    const { stick, scrollTo } = setUp();
    scrollTo(800);
    scrollTo(900, 2_000); // moving down, 900 px short of the new bottom
    expect(stick().atBottom).toBe(true);
    expect(stick().rangeExtractor(STALE_RANGE)).toEqual(around(114, 127));
    scrollTo(850, 2_000); // the reader, moving up
    expect(stick().atBottom).toBe(false);
  });
});

describe('rowsAtEnd', () => {
  it('never starts before the first row', () => {
    expect(rowsAtEnd({ startIndex: 0, endIndex: 9, overscan: 8, count: 12 })).toEqual(
      around(0, 11),
    );
  });
});
