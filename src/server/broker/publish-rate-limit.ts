import type { DecodedPayload } from '../../shared/schemas';
import type { Logger } from '../logger';
import type { ClientIdentity } from './client-identity';
import { createRefusalLogBudget } from './refusal-log-budget';

// Past this many users' buckets, those full again are forgotten (at most once per refill):
// a full bucket is what a user who has not published has, so forgetting it changes nothing.
export const MAX_TRACKED_BUCKETS = 10_000;

/**
 * What people write for others to read, each kept or fanned out: a chat message (kept for
 * HISTORY_RETENTION_DAYS, sent to every reader of the room), typing, a command to an
 * agent (logged). Agent states, replies, presence and notifications are not paced: agents
 * and services publish them, states thousands a second.
 */
const PACED_KINDS: ReadonlySet<DecodedPayload['kind']> = new Set([
  'chat-message',
  'chat-typing',
  'agent-inbox',
]);

// A user's role, as read, is trusted this long per connection: a role changed by an admin
// reaches a connection's pace within it (one that can no longer use the app is closed).
export const ROLE_KNOWN_FOR_MS = 60_000;

export interface TokenBucketOptions {
  /** Tokens that come back each second: the rate kept up. */
  ratePerSecond: number;
  /** Most tokens a bucket holds, and what a new one starts with: the burst after a pause. */
  burst: number;
  /** A steady clock, in ms. */
  now: () => number;
}

/** A token bucket per key; each take spends one token, if there is one. */
export interface TokenBuckets {
  /**
   * Whether `key` has a token now (spent if so). `throttled` is told when a run of refusals
   * starts (the first refusal since the key was last allowed one): once per burst.
   */
  take(key: string, throttled: () => void): boolean;
  /** How many keys have a bucket (full ones are forgotten past MAX_TRACKED_BUCKETS). */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
  /** Refused since its last token was spent: the refusal has been told. */
  throttled: boolean;
}

export function createTokenBuckets({
  ratePerSecond,
  burst,
  now,
}: TokenBucketOptions): TokenBuckets {
  const perMs = ratePerSecond / 1_000;
  const fillMs = burst / perMs; // an empty bucket is full again after this
  const buckets = new Map<string, Bucket>();
  let sweptAt = -Infinity;
  const level = (bucket: Bucket, at: number) =>
    Math.min(burst, bucket.tokens + Math.max(0, at - bucket.at) * perMs);
  return {
    take(key, throttled) {
      const at = now();
      if (buckets.size >= MAX_TRACKED_BUCKETS && at - sweptAt >= fillMs) {
        sweptAt = at;
        for (const [held, bucket] of buckets) if (level(bucket, at) >= burst) buckets.delete(held);
      }
      let bucket = buckets.get(key);
      if (bucket) {
        bucket.tokens = level(bucket, at);
        bucket.at = at;
      } else {
        bucket = { tokens: burst, at, throttled: false };
        buckets.set(key, bucket);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        bucket.throttled = false;
        return true;
      }
      if (!bucket.throttled) {
        bucket.throttled = true;
        throttled();
      }
      return false;
    },
    get size() {
      return buckets.size;
    },
  };
}

export interface PublishRateLimitOptions {
  /** Chat messages, typing and commands a person may publish per second, sustained; 0: no limit. */
  ratePerSecond: number;
  /** How many they may publish at once after a pause. */
  burst: number;
  /**
   * Whether the user is a person (a member or an admin: the app's roles), read from the
   * store; may throw (the publisher is then paced as a person).
   */
  isPerson(org: string, user: string): boolean;
  logger: Logger;
  now?: () => number;
}

/**
 * Whether a publish the checks accepted may go now: a person's chat messages, typing and
 * agent commands share one token bucket per org and user, across their connections, or one
 * member could fill every reader's timeline and the history (4,000 characters a message,
 * kept 30 days) as fast as the broker takes them. Agents, services and devices are not
 * paced: their states and notifications come at their own rates. A publish over the limit
 * goes nowhere, as a refused one does; the first of each run is logged (`publish_throttled`).
 */
export type AdmitsPublish = (publisher: ClientIdentity, message: DecodedPayload) => boolean;

export function createPublishRateLimit(options: PublishRateLimitOptions): AdmitsPublish {
  if (options.ratePerSecond === 0) return () => true;
  const { logger, ratePerSecond, burst } = options;
  const now = options.now ?? (() => performance.now());
  const buckets = createTokenBuckets({ ratePerSecond, burst, now });
  // Per connection, so it goes with the connection; asked of every paced publish.
  const roles = new WeakMap<ClientIdentity, { person: boolean; until: number }>();
  const isPerson = (publisher: ClientIdentity): boolean => {
    const at = now();
    const known = roles.get(publisher);
    if (known && at < known.until) return known.person;
    let person: boolean;
    try {
      person = options.isPerson(publisher.org, publisher.user);
    } catch {
      return true; // not remembered: asked again at the next publish
    }
    roles.set(publisher, { person, until: at + ROLE_KNOWN_FOR_MS });
    return person;
  };
  // One line a user every 10 s: each refill ended a run, and a steady sender over the rate
  // logged up to 20 lines a second (QA: 185 in 10 s).
  const logBudget = createRefusalLogBudget(now, { perWindow: 1, windowMs: 10_000 });
  return (publisher, message) => {
    if (!PACED_KINDS.has(message.kind) || !isPerson(publisher)) return true;
    const { org, user } = publisher;
    // Ids hold no "/" (ids.ts): one key per org and user. Typing has a bucket of its own:
    // sent with every message, it spent a third of the burst messages were refused past
    // (QA: 100 messages at once, 31 delivered).
    const typing = message.kind === 'chat-typing';
    return buckets.take(typing ? `${org}/${user}/typing` : `${org}/${user}`, () => {
      const leftOut = logBudget.take(`${org}/${user}`);
      if (leftOut === null) return;
      logger.warn(
        {
          event: 'publish_throttled',
          org,
          user,
          what: typing ? 'typing' : 'messages',
          ratePerSecond,
          burst,
          ...(leftOut > 0 && { leftOut }),
        },
        'chat messages, typing or commands over the limit: the rest of this burst goes nowhere',
      );
    });
  };
}
