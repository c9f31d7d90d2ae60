// Past this many keys' buckets, those full again are forgotten (at most once per refill):
// a full bucket is what a key that has not spent has, so forgetting it changes nothing.
export const MAX_TRACKED_BUCKETS = 10_000;

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
  /** How long until `key` has a token: 0 when it has one now. */
  msUntilToken(key: string): number;
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
    msUntilToken(key) {
      const bucket = buckets.get(key);
      if (!bucket) return 0;
      return Math.max(0, (1 - level(bucket, now())) / perMs);
    },
    get size() {
      return buckets.size;
    },
  };
}
