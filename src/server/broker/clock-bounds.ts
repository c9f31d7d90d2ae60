/**
 * How far ahead of the server's clock a publisher's timestamp (a chat message's `sentAt`,
 * a notification's `createdAt`) may be. The app stamps chat with the server's clock as its
 * last token told it (connection.ts, `serverNow`): off by half that token request's round
 * trip plus the device clock's drift in an hour, well under a second; an agent or service
 * stamps by its own clock, kept by NTP to milliseconds. A minute is all of that many times
 * over, and short enough that an item stamped ahead is overtaken, in a list sorted by its
 * time, within a minute.
 */
export const MAX_AHEAD_MS = 60_000;

const MS_PER_DAY = 86_400_000;

/** What the time checks read: the clock and how long the server keeps what they check. */
export interface ClockContext {
  /** ms since the epoch, by the server's clock */
  now(): number;
  /**
   * How long the server keeps chat messages and notifications (HISTORY_RETENTION_DAYS). A
   * time older than that predates everything still kept; the stores prune by when an item
   * was received, so such an item would be kept for the whole period, sorted last.
   */
  historyRetentionMs: number;
  /**
   * False for a Last Will at CONNECT: its time is stamped then and only goes out when it
   * fires (restamp-will.ts), so the clock is not asked. mqtt.js sends the same will at every
   * reconnect: checked at CONNECT, a will stamped when the client was made refused it for
   * good 30 days later, and a device clock a minute fast refused it at once.
   */
  checksTimes?: boolean;
}

/** A payload field holding a time the receivers sort by, and how a refusal names it. */
export interface TimeField {
  /** As in the payload: `sentAt` */
  name: string;
  /** The refusal codes' prefix: `sent_at` gives `sent_at_ahead`, `sent_at_too_old` */
  code: string;
  /** What keeps such items, for the reason: "the history keeps messages" */
  keptBy: string;
}

export interface ClockRefusal {
  code: string;
  reason: string;
}

/**
 * Refuses a time more than MAX_AHEAD_MS ahead of `now` (it would stay the newest item until
 * then), or older than the server keeps items (`0` showed as 1970, and was the first to go).
 * Something written offline and sent on reconnect, hours or days later, is within the
 * window and passes.
 */
export function checkClockBounds(
  field: TimeField,
  at: number,
  now: number,
  retentionMs: number,
): ClockRefusal | null {
  const ahead = checkNotAhead(field, at, now);
  if (ahead) return ahead;
  if (at < now - retentionMs) {
    return {
      code: `${field.code}_too_old`,
      reason:
        `${field.name} is ${formatDays(now - at)} old; ` +
        `${field.keptBy} for ${formatDays(retentionMs)}`,
    };
  }
  return null;
}

/**
 * Refuses a time more than MAX_AHEAD_MS ahead of `now`: the upper half of checkClockBounds,
 * alone for what is kept by topic, not by age (a last-known state), however old its time.
 */
export function checkNotAhead(
  field: Pick<TimeField, 'name' | 'code'>,
  at: number,
  now: number,
): ClockRefusal | null {
  if (at <= now + MAX_AHEAD_MS) return null;
  return {
    code: `${field.code}_ahead`,
    reason:
      `${field.name} is ${Math.round((at - now) / 1_000)} s ahead of the server's clock; ` +
      `at most ${MAX_AHEAD_MS / 1_000} s is allowed`,
  };
}

/** Whole days, down (a retention is configured in days); seconds below one day. */
function formatDays(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  if (days === 0) return `${Math.floor(ms / 1_000)} s`;
  return days === 1 ? '1 day' : `${days} days`;
}
