import { measureElement, type Virtualizer } from '@tanstack/react-virtual';

export interface RowSizes {
  /** The virtualizer's `measureElement`: measures a row and keeps its size. */
  measure(
    element: Element,
    entry: ResizeObserverEntry | undefined,
    instance: Virtualizer<HTMLDivElement, Element>,
  ): number;
  /** The virtualizer's `estimateSize`, for the row with this key. */
  estimate(key: unknown): number;
}

/**
 * The heights of a list's rows, for `@tanstack/virtual-core`. A row measured once keeps its
 * size; a row not measured yet is estimated at the last measured row's height.
 *
 * Most messages are one line, so the estimate is exact, and a row measured at its estimate
 * changes nothing, where an inexact estimate makes the virtualizer lay out every row again
 * (O(messages) per row while reading back through a long room). But the virtualizer keeps
 * no size for a row measured at exactly the size it was laid out with: such a row took
 * whatever the estimate became later, and one-line rows took a taller row's height when
 * one was measured after them, leaving gaps (test/e2e/chat.test.ts, "a busy room"). Their
 * sizes are kept here, and the estimate of a measured row is its size.
 */
export function createRowSizes(initialEstimatePx: number): RowSizes {
  const measured = new Map<unknown, number>();
  let lastMeasuredPx = initialEstimatePx;
  return {
    measure(element, entry, instance) {
      const size = measureElement(element, entry, instance);
      if (size > 0) {
        measured.set(instance.options.getItemKey(instance.indexFromElement(element)), size);
        lastMeasuredPx = size;
      }
      return size;
    },
    estimate: (key) => measured.get(key) ?? lastMeasuredPx,
  };
}
