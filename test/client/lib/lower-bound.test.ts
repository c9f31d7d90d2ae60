import { describe, expect, it } from 'vitest';
import { lowerBound } from '../../../src/client/lib/lower-bound';

const byNumber = (a: number, b: number) => a - b;

describe('lowerBound', () => {
  it.each([
    [[], 5, 0],
    [[1, 3, 5, 7], 0, 0],
    [[1, 3, 5, 7], 4, 2],
    [[1, 3, 5, 7], 5, 2],
    [[1, 3, 5, 7], 8, 4],
    [[1, 3, 3, 3, 7], 3, 1],
  ])('in %j, %d goes at %d', (items, item, index) => {
    expect(lowerBound(items, item, byNumber)).toBe(index);
  });
});
