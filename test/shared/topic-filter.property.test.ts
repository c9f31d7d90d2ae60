import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterContains, filtersIntersect, topicMatches } from '../../src/shared/topic-filter';

// Small alphabets make overlaps between random filters and topics common.
const level = fc.constantFrom('a', 'b', '', '$s');
const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join('/'));
const filter = fc
  .tuple(
    fc.array(fc.constantFrom('a', 'b', '', '$s', '+'), { minLength: 1, maxLength: 4 }),
    fc.boolean(),
  )
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'));

describe('filter algebra agrees with matching', () => {
  it('filterContains(outer, inner) ⇒ every topic inner matches, outer matches', () => {
    fc.assert(
      fc.property(filter, filter, topic, (outer, inner, t) => {
        if (filterContains(outer, inner) && topicMatches(inner, t)) {
          expect(topicMatches(outer, t)).toBe(true);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('a topic matched by both filters means they intersect', () => {
    fc.assert(
      fc.property(filter, filter, topic, (a, b, t) => {
        if (topicMatches(a, t) && topicMatches(b, t)) expect(filtersIntersect(a, b)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});
