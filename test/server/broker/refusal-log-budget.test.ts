import { describe, expect, it } from 'vitest';
import {
  createRefusalLogBudget,
  REFUSAL_WINDOW_MS,
  REFUSALS_LOGGED_PER_WINDOW,
} from '../../../src/server/broker/refusal-log-budget';

describe('the refusal log budget', () => {
  it('logs a window’s first lines of a user, leaves out the rest, and says how many with the next', () => {
    let now = 1_000;
    const budget = createRefusalLogBudget(() => now);
    const taken = Array.from({ length: REFUSALS_LOGGED_PER_WINDOW + 5 }, () => budget.take('a'));
    expect(taken.slice(0, REFUSALS_LOGGED_PER_WINDOW)).toEqual(
      Array(REFUSALS_LOGGED_PER_WINDOW).fill(0),
    );
    expect(taken.slice(REFUSALS_LOGGED_PER_WINDOW)).toEqual(Array(5).fill(null));
    expect(budget.take('b')).toBe(0); // another user's own budget

    now += REFUSAL_WINDOW_MS - 1;
    expect(budget.take('a')).toBeNull();
    now += 1;
    expect(budget.take('a')).toBe(6); // the line that opens the next window says so
    expect(budget.take('a')).toBe(0);
  });
});
