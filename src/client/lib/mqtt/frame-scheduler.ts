// Runs a callback before the next paint, or soon when frames are not coming (hidden
// tab, no DOM): coalesced store updates must still land eventually.
export type FrameScheduler = (callback: () => void) => void;

export const FALLBACK_FRAME_MS = 16; // one frame at 60 Hz

export const nextFrame: FrameScheduler = (callback) => {
  const visible = typeof document === 'undefined' || document.visibilityState !== 'hidden';
  if (visible && typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => callback());
  } else {
    setTimeout(callback, FALLBACK_FRAME_MS);
  }
};

export interface FrameBatch<T> {
  /** Queues an item; the batch is applied before the next paint. */
  add(item: T): void;
  /** Applies what is queued now (something that must land after it is about to). */
  flush(): void;
  /** Drops what is queued (the workspace it was for has ended). */
  cancel(): void;
}

/**
 * Collects items and hands them to `apply` together, at most once per frame: one store
 * update per frame for a high-rate stream instead of one per message.
 */
export function createFrameBatch<T>(
  apply: (items: T[]) => void,
  schedule: FrameScheduler = nextFrame,
): FrameBatch<T> {
  let queued: T[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (queued.length === 0) return;
    const items = queued;
    queued = [];
    apply(items);
  }

  return {
    add(item) {
      queued.push(item);
      if (scheduled) return;
      scheduled = true;
      schedule(() => {
        if (scheduled) flush();
      });
    },
    flush,
    cancel() {
      scheduled = false;
      queued = [];
    },
  };
}
