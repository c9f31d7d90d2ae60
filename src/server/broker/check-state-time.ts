import type { DecodedPayload } from '../../shared/schemas';
import { checkNotAhead, type ClockContext, type ClockRefusal } from './clock-bounds';

const UPDATED_AT = { name: 'updatedAt', code: 'updated_at' };
const SINCE = { name: 'since', code: 'since' };

/**
 * A last-known state's time (an agent state's `updatedAt`, a presence's `since`) must not be
 * ahead of the server's clock by more than any clock is off by: the board ages states by
 * it, so one stamped in the future read "just now" and never turned stale, and the stale
 * presence sweep could not age such a presence. An old time is fine: a state kept by its
 * topic says when it last changed, however long ago.
 */
export function checkStateTime(
  message: DecodedPayload,
  context: ClockContext,
): ClockRefusal | null {
  if (context.checksTimes === false) return null; // a will is stamped when it fires
  if (message.kind === 'agent-state') {
    return checkNotAhead(UPDATED_AT, message.value.updatedAt, context.now());
  }
  if (message.kind === 'presence') return checkNotAhead(SINCE, message.value.since, context.now());
  return null;
}
