import { describe, expect, it } from 'vitest';
import { AppendOnlyList } from '../../../src/client/lib/append-only-list';

describe('AppendOnlyList', () => {
  it.each([
    [0, 'a'],
    [2, 'c'],
    [3, undefined],
    [-1, 'c'],
    [-3, 'a'],
    [-4, undefined],
  ])('at(%i) is %s, as Array#at', (index, expected) => {
    const list = AppendOnlyList.adopt(['a', 'b', 'c']);
    expect(list.at(index)).toBe(expected);
    expect(['a', 'b', 'c'].at(index)).toBe(expected);
  });

  it('appends in place, and the earlier list keeps its own items', () => {
    const first = AppendOnlyList.adopt(['a']);
    const second = first.concat(['b', 'c']);
    expect(second.toArray()).toEqual(['a', 'b', 'c']);
    expect(second.continues(first)).toBe(true);
    expect(first.toArray()).toEqual(['a']);
    expect(first.at(1)).toBeUndefined();
    expect(first.at(-1)).toBe('a');
    expect(first.concat([])).toBe(first);
  });

  it('copies when appending to a list that is no longer the newest', () => {
    const first = AppendOnlyList.adopt(['a']);
    const newer = first.concat(['b']);
    const branch = first.concat(['x']);
    expect(newer.toArray()).toEqual(['a', 'b']);
    expect(branch.toArray()).toEqual(['a', 'x']);
    expect(branch.continues(first)).toBe(false);
    expect(newer.continues(branch)).toBe(false);
  });

  it('continues only a list on the same storage that it is at least as long as', () => {
    const first = AppendOnlyList.adopt(['a']);
    const second = first.concat(['b']);
    expect(first.continues(second)).toBe(false);
    expect(second.continues(second)).toBe(true);
    expect(AppendOnlyList.adopt(['a', 'b']).continues(first)).toBe(false);
  });

  it('hands out copies: changing one changes no list', () => {
    const list = AppendOnlyList.adopt(['a', 'b']);
    list.toArray().push('c');
    expect(list.toArray()).toEqual(['a', 'b']);
    expect(list.concat(['d']).toArray()).toEqual(['a', 'b', 'd']);
  });
});
