import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReadMarker } from '../../../../src/client/features/chat/lib/read-marker';

describe('createReadMarker', () => {
  let sent: string[][];
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  const marker = () => createReadMarker((upTo) => sent.push(upTo), 1_000);

  it('sends the first mark at once, then the latest of the rest once per interval', () => {
    const m = marker();
    m.mark(['a']);
    expect(sent).toEqual([['a']]);
    m.mark(['b']);
    m.mark(['c']);
    m.mark(['d', 'c']);
    expect(sent).toEqual([['a']]);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual([['a'], ['d', 'c']]);
    vi.advanceTimersByTime(5_000);
    expect(sent).toHaveLength(2); // nothing new: nothing sent
    m.mark(['e']);
    expect(sent.at(-1)).toEqual(['e']); // a quiet interval went by: at once again
  });

  it('sends nothing for no messages, or for the mark sent last', () => {
    const m = marker();
    m.mark([]);
    m.mark(['a']);
    vi.advanceTimersByTime(1_000);
    m.mark(['a']);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual([['a']]);
  });

  it('keeps marks made out of sight, and sends the latest as it comes back in sight', () => {
    const m = createReadMarker((upTo) => sent.push(upTo), 1_000, { seen: false });
    m.mark(['a']);
    m.mark(['b']);
    vi.advanceTimersByTime(5_000);
    m.flush(); // left unseen: nothing of it was seen
    expect(sent).toEqual([]);
    m.setSeen(true);
    expect(sent).toEqual([['b']]);
    m.setSeen(false);
    m.mark(['c']);
    m.setSeen(true);
    expect(sent).toEqual([['b'], ['c']]);
    m.setSeen(false);
    m.mark(['c']); // the one sent last: nothing to keep
    m.setSeen(true);
    expect(sent).toEqual([['b'], ['c']]);
  });

  it('sends the waiting mark, one that must outlive the page, on going out of sight or on flush', () => {
    const calls: [string[], boolean][] = [];
    const m = createReadMarker((upTo, { keepalive }) => calls.push([upTo, keepalive]), 1_000);
    m.mark(['a']);
    m.mark(['b']);
    m.setSeen(false);
    expect(calls).toEqual([
      [['a'], false],
      [['b'], true],
    ]);
    m.setSeen(true);
    m.mark(['c']); // the interval was cut short: at once
    m.mark(['d']);
    m.flush();
    expect(calls.slice(2)).toEqual([
      [['c'], false],
      [['d'], true],
    ]);
  });

  it('sends a waiting mark on flush, and nothing after', () => {
    const m = marker();
    m.mark(['a']);
    m.mark(['b']);
    m.flush();
    expect(sent).toEqual([['a'], ['b']]);
    vi.advanceTimersByTime(5_000);
    m.flush();
    expect(sent).toEqual([['a'], ['b']]);
  });
});
