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
