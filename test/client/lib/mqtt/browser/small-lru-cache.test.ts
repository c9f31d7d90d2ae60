import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LRUCache } from '../../../../../src/client/lib/mqtt/browser/small-lru-cache';

// The lru-cache mqtt.js itself requires (its own copy, not the one at the top).
const fromMqtt = createRequire(path.join(process.cwd(), 'node_modules/mqtt/package.json'));
const { LRUCache: Original } = fromMqtt('lru-cache') as { LRUCache: typeof LRUCache };

// The browser build gives mqtt.js this in place of lru-cache (vite.config.ts): what its
// topic alias table calls must answer as lru-cache does, order of use included.

type Step = ['get', number] | ['set', number, string] | ['clear'];

function replay<
  C extends { get(k: number): string | undefined; size: number; keys(): Iterable<number> },
>(cache: C & { set(k: number, v: string): unknown; clear(): void }, steps: readonly Step[]) {
  const seen: unknown[] = [];
  for (const step of steps) {
    if (step[0] === 'get') seen.push(cache.get(step[1]));
    else if (step[0] === 'set') cache.set(step[1], step[2]);
    else cache.clear();
    seen.push(cache.size, [...cache.keys()]);
  }
  return seen;
}

/** A deterministic mix of steps over a few keys, so evictions and reuses happen often. */
function steps(seed: number, count: number): Step[] {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, i): Step => {
    const key = 1 + Math.floor(next() * 8);
    const roll = next();
    if (roll < 0.02) return ['clear'];
    return roll < 0.5 ? ['get', key] : ['set', key, `topic/${key}/${i}`];
  });
}

describe('the small LRU cache the browser build gives mqtt.js', () => {
  it.each([1, 2, 5, 8])('answers as lru-cache does, max %i', (max) => {
    for (const seed of [1, 7, 42]) {
      const run = steps(seed, 400);
      expect(replay(new LRUCache<number, string>({ max }), run)).toEqual(
        replay(new Original<number, string>({ max }), run),
      );
    }
  });

  it('gives the least recently used key last, as topic-alias-send reads it', () => {
    const cache = new LRUCache<number, string>({ max: 3 });
    cache.set(1, 'a').set(2, 'b').set(3, 'c');
    cache.get(1);
    const keys = [...cache.keys()];
    expect(keys[cache.size - 1]).toBe(2);
    cache.set(4, 'd'); // 2 goes
    expect(cache.get(2)).toBeUndefined();
    expect([...cache.keys()]).toEqual([4, 1, 3]);
  });
});
