import type { Logger } from './logger';

// Per sender and person named: anyone who may post in a room can mention, and each mention
// is a notification kept for HISTORY_RETENTION_DAYS. A conversation stays well inside it.
export const MENTIONS_PER_PAIR_PER_WINDOW = 6;
const MENTION_WINDOW_MS = 60_000;
const MAX_TRACKED_PAIRS = 10_000; // past this, windows that are over are forgotten

export interface MentionLimit {
  /** Whether `from` may notify `to` once more now (counts it if so). */
  allows(org: string, from: string, to: string): boolean;
}

/**
 * At most MENTIONS_PER_PAIR_PER_WINDOW notices a minute from one sender to one person; the
 * rest of that minute are refused, logged once (`mention_throttled`).
 */
export function createMentionLimit(logger: Logger, now: () => number): MentionLimit {
  const windows = new Map<string, { startedAt: number; sent: number }>();
  let sweptAt = -Infinity;
  return {
    allows(org, from, to) {
      const at = now();
      // At most once a window: with that many pairs live, a sweep per call would be costly.
      if (windows.size >= MAX_TRACKED_PAIRS && at - sweptAt >= MENTION_WINDOW_MS) {
        sweptAt = at;
        for (const [key, window] of windows) {
          if (at - window.startedAt >= MENTION_WINDOW_MS) windows.delete(key);
        }
      }
      const key = `${org}\0${from}\0${to}`;
      const window = windows.get(key);
      if (!window || at - window.startedAt >= MENTION_WINDOW_MS) {
        windows.set(key, { startedAt: at, sent: 1 });
        return true;
      }
      window.sent += 1;
      if (window.sent === MENTIONS_PER_PAIR_PER_WINDOW + 1) {
        logger.warn(
          { event: 'mention_throttled', org, from, to, perMinute: MENTIONS_PER_PAIR_PER_WINDOW },
          'mentions of one person by one sender over the limit: the rest of this minute is dropped',
        );
      }
      return window.sent <= MENTIONS_PER_PAIR_PER_WINDOW;
    },
  };
}
