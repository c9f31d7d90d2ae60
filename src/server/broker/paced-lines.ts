import type { TokenBuckets } from './token-buckets';

/** A publish waiting for its turn: its payload's size, and what to call when it comes. */
export interface Waiting {
  bytes: number;
  go(): void;
  /**
   * Whether it will never go, whatever its turn (its connection closed and the client sends
   * it again): it then spends no token and holds no room in the line, or a client back
   * from a dropped connection found its line full of its own dead publishes and had its
   * resends turned away.
   */
  abandoned?(): boolean;
}

export interface PacedLinesOptions {
  buckets: TokenBuckets;
  /** Most publishes waiting in one key's line: one more is turned away. */
  maxWaiting: number;
  /** Most payload bytes waiting in one key's line: what would pass it is turned away. */
  maxBytes: number;
}

/** `now`: went at once; `waits`: goes in its turn; `full`: turned away, never goes. */
export type PaceOutcome = 'now' | 'waits' | 'full';

/**
 * One line per key in front of its token bucket: a publish goes at once while the bucket
 * has a token and nobody waits, else it waits behind the others, in the order they came,
 * and goes when a token comes back. So a burst over the limit is spread out, not dropped,
 * up to what a line may hold.
 */
export interface PacedLines {
  /** `waiting.go()` now or in its turn, or never (`full`). `throttled` as TokenBuckets'. */
  pace(key: string, waiting: Waiting, throttled: () => void): PaceOutcome;
  /** How many publishes wait, in all lines. */
  readonly waiting: number;
  /**
   * Empties every line, its publishes never going (the broker is closing); one paced after
   * it waits for good (`waits`), as its connection is about to close.
   */
  close(): void;
}

interface Line {
  waiting: Waiting[];
  bytes: number;
  timer: NodeJS.Timeout | undefined;
}

export function createPacedLines({ buckets, maxWaiting, maxBytes }: PacedLinesOptions): PacedLines {
  const lines = new Map<string, Line>();
  let waitingCount = 0;
  let closed = false;
  const release = (key: string, line: Line) => {
    line.timer = undefined;
    // `go` may hand aedes the connection's next packets, and one of those join this line
    // (setting its timer again).
    for (let next = line.waiting[0]; next !== undefined; next = line.waiting[0]) {
      const abandoned = next.abandoned?.() === true;
      if (!abandoned && !buckets.take(key, noop)) break;
      remove(line, 0);
      if (!abandoned) next.go();
    }
    if (line.waiting.length > 0) {
      if (line.timer === undefined) wait(key, line);
      return;
    }
    clearTimeout(line.timer);
    if (lines.get(key) === line) lines.delete(key);
  };
  const remove = (line: Line, index: number) => {
    const [gone] = line.waiting.splice(index, 1);
    line.bytes -= gone!.bytes;
    waitingCount--;
  };
  const dropAbandoned = (line: Line) => {
    for (let i = line.waiting.length - 1; i >= 0; i--) {
      if (line.waiting[i]!.abandoned?.() === true) remove(line, i);
    }
  };
  const fits = (line: Line, waiting: Waiting) =>
    line.waiting.length < maxWaiting && line.bytes + waiting.bytes <= maxBytes;
  const wait = (key: string, line: Line) => {
    // At least 1 ms: a token a fraction of a ms away would otherwise spin.
    line.timer = setTimeout(release, Math.max(1, buckets.msUntilToken(key)), key, line);
    // A line alone keeps no process up; the broker's close ends them anyway.
    line.timer.unref();
  };
  return {
    pace(key, waiting, throttled) {
      // The broker's close awaits the session cap's work before aedes closes the
      // connections: what they send meanwhile would start a line no close ends, and go
      // once the broker and the store are closed.
      if (closed) return 'waits';
      let line = lines.get(key);
      if (line === undefined) {
        if (buckets.take(key, throttled)) {
          waiting.go();
          return 'now';
        }
        if (maxWaiting === 0 || waiting.bytes > maxBytes) return 'full';
        line = { waiting: [], bytes: 0, timer: undefined };
        lines.set(key, line);
      }
      // Only when full: most paces then walk nothing.
      if (!fits(line, waiting)) dropAbandoned(line);
      if (!fits(line, waiting)) return 'full';
      line.waiting.push(waiting);
      line.bytes += waiting.bytes;
      waitingCount++;
      if (line.timer === undefined) wait(key, line);
      return 'waits';
    },
    get waiting() {
      return waitingCount;
    },
    close() {
      closed = true;
      for (const line of lines.values()) clearTimeout(line.timer);
      lines.clear();
      waitingCount = 0;
    },
  };
}

const noop = () => {};
