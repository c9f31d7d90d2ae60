import { describe, expect, it } from 'vitest';
import { createTokenBuckets, MAX_TRACKED_BUCKETS } from '../../../src/server/broker/token-buckets';

const RATE = 20; // a token back every 50 ms
const BURST = 60;

function buckets() {
  const clock = { now: 1_000 };
  const told: string[] = [];
  const limit = createTokenBuckets({ ratePerSecond: RATE, burst: BURST, now: () => clock.now });
  /** How many of `count` takes by `key` were allowed now. */
  const takes = (count: number, key = 'demo/alice') => {
    let allowed = 0;
    for (let i = 0; i < count; i++) if (limit.take(key, () => told.push(key))) allowed++;
    return allowed;
  };
  return { clock, told, limit, takes };
}

describe('createTokenBuckets', () => {
  it('allows a burst of BURST at once, then refuses, telling it once for the run', () => {
    const b = buckets();
    expect(b.takes(BURST)).toBe(BURST);
    expect(b.told).toEqual([]);
    expect(b.takes(10)).toBe(0);
    expect(b.told).toEqual(['demo/alice']);
  });

  it('gives back RATE tokens a second, and tells a new run of refusals again', () => {
    const b = buckets();
    b.takes(BURST + 1);
    b.clock.now += 1_000 / RATE;
    expect(b.takes(2)).toBe(1);
    expect(b.told).toEqual(['demo/alice', 'demo/alice']);
    b.clock.now += 1_000; // a second more: RATE more, no more
    expect(b.takes(RATE + 5)).toBe(RATE);
  });

  it('keeps up a sustained RATE a second indefinitely', () => {
    const b = buckets();
    b.takes(BURST);
    let allowed = 0;
    for (let tick = 0; tick < 100; tick++) {
      b.clock.now += 1_000 / RATE;
      allowed += b.takes(1);
    }
    expect(allowed).toBe(100);
    expect(b.told).toEqual([]);
  });

  it('holds BURST at most, however long the pause', () => {
    const b = buckets();
    b.takes(BURST);
    b.clock.now += 3_600_000;
    expect(b.takes(BURST * 2)).toBe(BURST);
  });

  it('takes nothing back when the clock goes back', () => {
    const b = buckets();
    b.takes(BURST - 1);
    b.clock.now -= 10_000;
    expect(b.takes(2)).toBe(1);
  });

  it('keeps each key its own', () => {
    const b = buckets();
    b.takes(BURST + 1, 'demo/alice');
    expect(b.takes(BURST, 'demo/bob')).toBe(BURST);
    expect(b.takes(1, 'acme/alice')).toBe(1);
    expect(b.told).toEqual(['demo/alice']);
  });

  it(`forgets full buckets past ${MAX_TRACKED_BUCKETS} keys, keeping those in use`, () => {
    const b = buckets();
    b.takes(BURST + 1, 'demo/flooder');
    for (let i = 0; i < MAX_TRACKED_BUCKETS; i++) b.takes(1, `demo/user-${i}`);
    expect(b.limit.size).toBe(MAX_TRACKED_BUCKETS + 1);
    // Full again once BURST / RATE seconds have passed; the flooder, at it still, is not.
    const fillMs = (BURST / RATE) * 1_000;
    for (let t = 0; t < fillMs; t += 1_000 / RATE) {
      b.clock.now += 1_000 / RATE;
      b.takes(1, 'demo/flooder');
    }
    b.takes(1, 'demo/newcomer');
    expect(b.limit.size).toBe(2);
    expect(b.takes(1, 'demo/flooder')).toBe(0); // its empty bucket was kept
  });

  it('says how long until a key has a token: 0 while it has one', () => {
    const b = buckets();
    expect(b.limit.msUntilToken('demo/alice')).toBe(0); // no bucket yet: a full one
    b.takes(BURST - 1);
    expect(b.limit.msUntilToken('demo/alice')).toBe(0);
    b.takes(1);
    expect(b.limit.msUntilToken('demo/alice')).toBe(1_000 / RATE);
    b.clock.now += 20;
    expect(b.limit.msUntilToken('demo/alice')).toBeCloseTo(1_000 / RATE - 20);
    b.clock.now += 30;
    expect(b.limit.msUntilToken('demo/alice')).toBe(0);
    expect(b.takes(2)).toBe(1);
  });
});
