import type { DecodedPayload } from '../../shared/schemas';

/**
 * How far ahead of the server's clock a chat message's `sentAt` may be. The app stamps it
 * with the server's clock as its last token told it (connection.ts, `serverNow`): off by
 * half that token request's round trip plus the device clock's drift in an hour, well
 * under a second; an agent or service stamps it by its own clock, kept by NTP to
 * milliseconds. A minute is all of that many times over, and short enough that a message
 * stamped ahead is overtaken, in the timeline sorted by `sentAt`, within a minute.
 */
export const MAX_SENT_AT_AHEAD_MS = 60_000;

const MS_PER_DAY = 86_400_000;

/** What the chat checks read beyond the message: the clock, the history's span, the rooms. */
export interface ChatContext {
  /** ms since the epoch, by the server's clock */
  now(): number;
  /**
   * How long the history keeps a message (HISTORY_RETENTION_DAYS). A `sentAt` older than
   * that predates everything the room still holds; the history prunes by when a message
   * was received, so such a message would be kept for the whole period, sorted first.
   */
  historyRetentionMs: number;
  /** Whether `room` exists in `org` (made by the HTTP API or the seed; never deleted). */
  roomExists(org: string, room: string): boolean;
  /**
   * False for a Last Will at CONNECT: its `sentAt` is stamped then and only goes out when
   * it fires (restampWill), so the clock is not asked. mqtt.js sends the same will at
   * every reconnect: checked at CONNECT, a will stamped when the client was made refused
   * it for good 30 days later, and a device clock a minute fast refused it at once.
   */
  checksSentAt?: boolean;
}

export interface ChatRefusal {
  code: string;
  reason: string;
}

/**
 * A chat message or typing goes only to a room of the publisher's org: one to no room was
 * delivered live to everyone and then missing from the history (GET …/messages says 404).
 * A chat message's `sentAt` must also lie in the window the timeline can place it in.
 */
export function checkChat(
  org: string,
  message: DecodedPayload,
  context: ChatContext,
): ChatRefusal | null {
  if (message.kind !== 'chat-message' && message.kind !== 'chat-typing') return null;
  let exists: boolean;
  try {
    exists = context.roomExists(org, message.room);
  } catch (error) {
    // Thrown into aedes, it would end the connection (or, for a stored will, the process).
    const detail = error instanceof Error ? error.message : String(error);
    return { code: 'room_check_failed', reason: `the room could not be looked up: ${detail}` };
  }
  if (!exists) {
    return { code: 'room_unknown', reason: `there is no room "${message.room}"` };
  }
  if (message.kind !== 'chat-message' || context.checksSentAt === false) return null;
  return checkSentAt(message.value.sentAt, context.now(), context.historyRetentionMs);
}

/**
 * Refuses a `sentAt` more than MAX_SENT_AT_AHEAD_MS ahead of `now` (it would stay the
 * room's newest message until then), or older than the history keeps messages (`sentAt: 0`
 * showed as 1970). A message written offline and sent on reconnect, hours or days later,
 * is within the window and passes.
 */
export function checkSentAt(
  sentAt: number,
  now: number,
  historyRetentionMs: number,
): ChatRefusal | null {
  if (sentAt > now + MAX_SENT_AT_AHEAD_MS) {
    return {
      code: 'sent_at_ahead',
      reason:
        `sentAt is ${Math.round((sentAt - now) / 1_000)} s ahead of the server's clock; ` +
        `at most ${MAX_SENT_AT_AHEAD_MS / 1_000} s is allowed`,
    };
  }
  if (sentAt < now - historyRetentionMs) {
    return {
      code: 'sent_at_too_old',
      reason:
        `sentAt is ${formatDays(now - sentAt)} old; ` +
        `the history keeps messages for ${formatDays(historyRetentionMs)}`,
    };
  }
  return null;
}

/** Whole days, down (a retention is configured in days); seconds below one day. */
function formatDays(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  if (days === 0) return `${Math.floor(ms / 1_000)} s`;
  return days === 1 ? '1 day' : `${days} days`;
}

/**
 * A chat message sent as a Last Will goes out when it fires, maybe days after its CONNECT
 * stamped it: it is stamped again with `now`, so the timeline places it when it was sent
 * and the `sentAt` check holds for it as for any message. Null when `payload` is not a JSON
 * object with a numeric `sentAt` (the checks that follow refuse it then).
 */
export function restampWill(payload: Uint8Array, now: number): Buffer | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const message = value as Record<string, unknown>;
  if (typeof message.sentAt !== 'number') return null;
  return Buffer.from(JSON.stringify({ ...message, sentAt: now }));
}
