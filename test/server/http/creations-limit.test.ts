import { describe, expect, it } from 'vitest';
import { createCreationsLimit } from '../../../src/server/http/creations-limit';

describe('createCreationsLimit', () => {
  it('lets a key create max in any window, and says how long until the oldest leaves it', () => {
    const clock = { now: 0 };
    const limit = createCreationsLimit({ max: 3, windowMs: 60_000, now: () => clock.now });
    for (const at of [0, 10_000, 20_000]) {
      clock.now = at;
      expect(limit.wait('a')).toBe(0);
      limit.created('a');
    }
    clock.now = 30_000;
    expect(limit.wait('a')).toBe(30_000); // the one of 0 leaves at 60,000
    expect(limit.wait('b')).toBe(0); // another key's own count
    clock.now = 60_000;
    expect(limit.wait('a')).toBe(0);
    limit.created('a');
    expect(limit.wait('a')).toBe(10_000); // now the one of 10,000 is the oldest
  });
});
