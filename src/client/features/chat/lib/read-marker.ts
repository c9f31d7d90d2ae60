/** Sends a room's read marks (message ids) as they change, at most one per interval. */
export interface ReadMarker {
  /** The first mark goes at once; later ones wait for the interval, the latest winning. */
  mark(upTo: readonly string[]): void;
  /** Sends a waiting mark now (the room is being left) and stops. */
  flush(): void;
}

export interface ReadMarkerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const defaultTimers: ReadMarkerTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createReadMarker(
  send: (upTo: string[]) => void,
  intervalMs: number,
  timers: ReadMarkerTimers = defaultTimers,
): ReadMarker {
  let timer: unknown = null;
  let waiting: string[] | null = null;
  let lastSent = '';

  const sendNow = (upTo: string[]) => {
    lastSent = JSON.stringify(upTo);
    send(upTo);
    timer = timers.setTimeout(onInterval, intervalMs);
  };
  function onInterval() {
    timer = null;
    const next = waiting;
    waiting = null;
    if (next) sendNow(next);
  }

  return {
    mark(upTo) {
      if (upTo.length === 0 || JSON.stringify(upTo) === lastSent) {
        waiting = null;
        return;
      }
      if (timer === null) sendNow([...upTo]);
      else waiting = [...upTo];
    },
    flush() {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      const next = waiting;
      waiting = null;
      if (next) {
        lastSent = JSON.stringify(next);
        send(next);
      }
    },
  };
}
