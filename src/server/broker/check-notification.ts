import type { DecodedPayload } from '../../shared/schemas';
import {
  checkClockBounds,
  type ClockContext,
  type ClockRefusal,
  type TimeField,
} from './clock-bounds';

const CREATED_AT: TimeField = {
  name: 'createdAt',
  code: 'created_at',
  keptBy: 'the server keeps notifications',
};

/**
 * A notification's `createdAt` must lie in the window the inbox can place it in, as a chat
 * message's `sentAt` must (check-chat.ts): the app sorts the inbox by it, so one stamped in
 * 2100 stayed first for good, and one stamped 0 (1970) was the first its 200-item cap
 * dropped. The server keeps notifications as long as chat history (notification-store.ts).
 */
export function checkNotification(
  message: DecodedPayload,
  context: ClockContext,
): ClockRefusal | null {
  if (message.kind !== 'notification' || context.checksTimes === false) return null;
  return checkClockBounds(
    CREATED_AT,
    message.value.createdAt,
    context.now(),
    context.historyRetentionMs,
  );
}
