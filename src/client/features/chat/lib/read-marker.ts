/**
 * Sends a room's read marks (message ids) as they change, at most one per interval, and
 * only while the room is in front of the person: a mark is a claim that they saw it.
 */
export interface ReadMarker {
  /**
   * While seen, the first mark goes at once; later ones wait for the interval, the latest
   * winning. While not seen, the latest is kept for when it is seen again.
   */
  mark(upTo: readonly string[]): void;
  /**
   * Whether the room is in front of the person. Going out of sight sends the waiting mark
   * now (it was seen, and the page may be going away); coming back sends the kept one.
   */
  setSeen(seen: boolean): void;
  /**
   * Sends the waiting mark now, as one that must outlive the page: it is going away, or
   * the room is being left. A mark kept while out of sight stays unsent.
   */
  flush(): void;
}

export interface ReadMarkerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SendOptions {
  /** The page may be going away: the request must outlive it. */
  keepalive: boolean;
}

const defaultTimers: ReadMarkerTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createReadMarker(
  send: (upTo: string[], options: SendOptions) => void,
  intervalMs: number,
  options: { seen?: boolean; timers?: ReadMarkerTimers } = {},
): ReadMarker {
  const timers = options.timers ?? defaultTimers;
  let seen = options.seen ?? true;
  let timer: unknown = null;
  let waiting: string[] | null = null; // seen, held back by the interval
  let kept: string[] | null = null; // not seen yet
  let lastSent = '';

  const sendNow = (upTo: string[], keepalive: boolean) => {
    lastSent = JSON.stringify(upTo);
    send(upTo, { keepalive });
  };
  function onInterval() {
    timer = null;
    const next = waiting;
    waiting = null;
    if (next) {
      sendNow(next, false);
      timer = timers.setTimeout(onInterval, intervalMs);
    }
  }
  const flush = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    const next = waiting;
    waiting = null;
    if (next) sendNow(next, true);
  };
  const mark = (upTo: readonly string[]) => {
    const latest = upTo.length === 0 || JSON.stringify(upTo) === lastSent ? null : [...upTo];
    if (!seen) {
      kept = latest;
    } else if (!latest || timer !== null) {
      waiting = latest;
    } else {
      sendNow(latest, false);
      timer = timers.setTimeout(onInterval, intervalMs);
    }
  };

  return {
    mark,
    setSeen(next) {
      if (next === seen) return;
      seen = next;
      if (!seen) {
        flush();
        return;
      }
      const latest = kept;
      kept = null;
      if (latest) mark(latest);
    },
    flush,
  };
}
