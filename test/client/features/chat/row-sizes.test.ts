import { Virtualizer, type VirtualizerOptions } from '@tanstack/react-virtual';
import { describe, expect, it } from 'vitest';
import { createRowSizes } from '../../../../src/client/features/chat/lib/row-sizes';

// The real @tanstack/virtual-core, with a scroller 600 px tall at SCROLL_TOP and a
// ResizeObserver this test delivers entries to, as Chromium does after layout.
const VIEW_PX = 600;
const SCROLL_TOP = 3_000;
const ESTIMATE_PX = 64;

function setUp(rows: number) {
  let deliver: (entries: ResizeObserverEntry[]) => void = () => {};
  const window = {
    ResizeObserver: class {
      constructor(callback: (entries: ResizeObserverEntry[]) => void) {
        deliver = callback;
      }
      observe() {}
      unobserve() {}
      disconnect() {}
    },
    requestAnimationFrame: () => 1,
    cancelAnimationFrame: () => {},
  };
  let scrollTop = SCROLL_TOP;
  const scroller = {
    ownerDocument: { defaultView: window },
    scrollTo: ({ top }: { top: number }) => (scrollTop = top),
    addEventListener: () => {},
    removeEventListener: () => {},
  } as unknown as HTMLDivElement;
  const heights = new Map<number, number>(); // row index → its real height
  const element = (index: number) =>
    ({
      isConnected: true,
      getAttribute: () => String(index),
      get offsetHeight() {
        return heights.get(index);
      },
    }) as unknown as Element;
  const entry = (index: number) =>
    ({
      target: element(index),
      borderBoxSize: [{ blockSize: heights.get(index), inlineSize: 400 }],
    }) as unknown as ResizeObserverEntry;

  const sizes = createRowSizes(ESTIMATE_PX);
  const key = (index: number) => `m${index}`;
  const options = (count: number): VirtualizerOptions<HTMLDivElement, Element> => ({
    count,
    getScrollElement: () => scroller,
    getItemKey: (index) => key(index),
    estimateSize: (index) => sizes.estimate(key(index)),
    measureElement: sizes.measure,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: 80,
    observeElementRect: (_, callback) => {
      callback({ width: 400, height: VIEW_PX });
      return () => {};
    },
    observeElementOffset: (_, callback) => {
      callback(scrollTop, false);
      return () => {};
    },
    scrollToFn: (offset, { adjustments = 0 }) => (scrollTop = offset + adjustments),
  });
  const virtualizer = new Virtualizer(options(rows));
  virtualizer._willUpdate();
  virtualizer.getVirtualItems();

  return {
    virtualizer,
    /**
     * Rows shown with these heights: mounted (the virtualizer's ref), then reported by its
     * ResizeObserver in one batch.
     */
    show(shown: Record<number, number>) {
      const indexes = Object.keys(shown).map(Number);
      for (const index of indexes) {
        heights.set(index, shown[index]!);
        virtualizer.measureElement(element(index));
      }
      deliver(indexes.map(entry));
    },
    /** A message appended: a new row and a new key function, all rows laid out again. */
    append() {
      const count = virtualizer.options.count + 1;
      virtualizer.setOptions({ ...options(count), getItemKey: (index) => key(index) });
    },
    /** Measured rows whose laid-out height is not their real one, as "row: laid out ≠ real". */
    misplaced() {
      virtualizer.getVirtualItems(); // lays the rows out again if anything changed
      const laidOut = virtualizer.measurementsCache;
      return [...heights]
        .filter(([index, px]) => laidOut[index]?.size !== px)
        .map(([index, px]) => `${index}: ${laidOut[index]?.size} ≠ ${px}`);
    },
  };
}

describe('row sizes', () => {
  it('keeps rows measured at their estimate when the estimate changes', () => {
    const list = setUp(200);
    list.show({ 45: ESTIMATE_PX, 46: ESTIMATE_PX }); // exact: the virtualizer keeps nothing
    list.show({ 47: 120 }); // the estimate becomes 120
    list.append();
    expect(list.misplaced()).toEqual([]);
  });

  it('keeps every row of a batch that moved the scroll position while scrolling', () => {
    const list = setUp(200);
    list.virtualizer.isScrolling = true; // a reader scrolling: not measured on mount
    // Above the fold: the first moves the scroll position at once, and the virtualizer lays
    // the rows out again before the next, estimated at the height just measured.
    list.show({ 40: 100, 41: 140, 42: 100 });
    list.show({ 100: 60 });
    list.append();
    expect(list.misplaced()).toEqual([]);
  });
});
