// A refused publish or filter is logged with its reason (publish_denied, subscribe_denied):
// one line each let a client write the log as fast as it could send, up to 60,000 lines
// for one SUBSCRIBE of refused filters. Each user gets REFUSALS_LOGGED_PER_WINDOW lines a
// window; the rest are counted, and the next line logged says how many were left out.
// The publish rate limit logs its own lines through one of these too, one a window.

export const REFUSALS_LOGGED_PER_WINDOW = 100;
export const REFUSAL_WINDOW_MS = 10_000;
const MAX_TRACKED = 10_000; // past this, windows that are over are forgotten

export interface RefusalLogBudget {
  /**
   * Whether to log one more refusal of `key`'s: null to leave it out; else how many were
   * left out since the last line logged, to say with it.
   */
  take(key: string): number | null;
}

export function createRefusalLogBudget(
  now: () => number = Date.now,
  { perWindow = REFUSALS_LOGGED_PER_WINDOW, windowMs = REFUSAL_WINDOW_MS } = {},
): RefusalLogBudget {
  const windows = new Map<string, { startedAt: number; logged: number; leftOut: number }>();
  let sweptAt = -Infinity;
  return {
    take(key) {
      const at = now();
      if (windows.size >= MAX_TRACKED && at - sweptAt >= windowMs) {
        sweptAt = at;
        for (const [tracked, window] of windows) {
          // One whose count of left-out lines is not said yet is kept for its next line.
          if (at - window.startedAt >= windowMs && window.leftOut === 0) {
            windows.delete(tracked);
          }
        }
      }
      const window = windows.get(key);
      if (!window || at - window.startedAt >= windowMs) {
        windows.set(key, { startedAt: at, logged: 1, leftOut: 0 });
        return window?.leftOut ?? 0;
      }
      if (window.logged < perWindow) {
        window.logged += 1;
        return 0;
      }
      window.leftOut += 1;
      return null;
    },
  };
}
