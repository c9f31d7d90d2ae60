/**
 * At most `max` creations per key in any `windowMs`, counting only what was created: a
 * fixed-window limiter in front of the route counted every request, so someone who tried
 * a few ids already taken was told they had created too many rooms (QA). In memory, per
 * process, as the other routes' limits.
 */
export interface CreationsLimit {
  /** How long until `key` may create again (ms); 0 if it may now. */
  wait(key: string): number;
  /** Counts one creation of `key`'s, now. */
  created(key: string): void;
}

const MAX_TRACKED_KEYS = 10_000; // past this, keys with nothing in the window are forgotten

export function createCreationsLimit(options: {
  max: number;
  windowMs: number;
  now?: () => number;
}): CreationsLimit {
  const { max, windowMs } = options;
  const now = options.now ?? Date.now;
  const times = new Map<string, number[]>(); // each key's creations in the window, oldest first
  const recent = (key: string, at: number): number[] => {
    const kept = (times.get(key) ?? []).filter((time) => at - time < windowMs);
    if (kept.length > 0) times.set(key, kept);
    else times.delete(key);
    return kept;
  };
  return {
    wait(key) {
      const at = now();
      const kept = recent(key, at);
      return kept.length < max ? 0 : kept[0]! + windowMs - at;
    },
    created(key) {
      const at = now();
      if (times.size >= MAX_TRACKED_KEYS)
        for (const tracked of [...times.keys()]) recent(tracked, at);
      times.set(key, [...recent(key, at), at]);
    },
  };
}
