import type { PublishContext } from '../../../src/server/broker/check-publish';

const MS_PER_DAY = 86_400_000;

/**
 * The checks' context for tests of something else: the real clock, the default retention,
 * and every room there (those in `missing` excepted).
 */
export function publishContext(missing: readonly string[] = []): PublishContext {
  return {
    now: Date.now,
    historyRetentionMs: 30 * MS_PER_DAY,
    roomExists: (_org, room) => !missing.includes(room),
  };
}
