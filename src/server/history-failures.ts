import type { Logger } from './logger';
import { isStorageError } from './storage';

/**
 * When writing into the history last failed, for GET /api/rooms/:room/messages/:id: for a
 * while after, a message missing from the history proves nothing (http/history.ts answers
 * 503 for every org). Only the store failing counts (a full disk, the database closed at
 * shutdown): a StorageError is the store refusing one input (an id it cannot hold, args it
 * cannot digest), which says nothing of the next message. Counted, one hostile publish made
 * every org's lookups answer 503 for ten minutes.
 */
export interface HistoryFailures {
  /** What the history's writer reports (batched-history.ts): logged, and counted if a failure. */
  onError(error: unknown): void;
  /** When a write last failed (ms since the epoch), if one has. */
  failedAt(): number | null;
}

export function createHistoryFailures(
  logger: Logger,
  now: () => number = Date.now,
): HistoryFailures {
  let failedAt: number | null = null;
  return {
    onError(error) {
      if (isStorageError(error)) {
        logger.warn(
          { event: 'history_record_refused', code: error.code },
          `a message was not recorded: ${error.message}`,
        );
        return;
      }
      failedAt = now();
      logger.error({ event: 'history_record_failed', err: error }, 'could not record a message');
    },
    failedAt: () => failedAt,
  };
}
