import type { DecodedPayload } from '../../shared/schemas';
import { checkClockBounds, MAX_AHEAD_MS, type ClockContext, type TimeField } from './clock-bounds';

/** How far ahead of the server's clock a chat message's `sentAt` may be (clock-bounds.ts). */
export const MAX_SENT_AT_AHEAD_MS = MAX_AHEAD_MS;

const SENT_AT: TimeField = {
  name: 'sentAt',
  code: 'sent_at',
  keptBy: 'the history keeps messages',
};

/** What the chat checks read beyond the message: the clock, the history's span, the rooms. */
export interface ChatContext extends ClockContext {
  /** Whether `room` exists in `org` (made by the HTTP API or the seed; never deleted). */
  roomExists(org: string, room: string): boolean;
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
  if (message.kind !== 'chat-message' || context.checksTimes === false) return null;
  return checkSentAt(message.value.sentAt, context.now(), context.historyRetentionMs);
}

/**
 * Refuses a `sentAt` the timeline cannot place (checkClockBounds): one ahead would stay the
 * room's newest message until then, `sentAt: 0` showed as 1970.
 */
export function checkSentAt(
  sentAt: number,
  now: number,
  historyRetentionMs: number,
): ChatRefusal | null {
  return checkClockBounds(SENT_AT, sentAt, now, historyRetentionMs);
}
