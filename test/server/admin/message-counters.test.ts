import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageCounters, RATE_WINDOW_MS } from '../../../src/server/broker/message-counters';

describe('MessageCounters', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('averages each org’s messages over the rate window', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const counters = new MessageCounters();
    try {
      expect(counters.rates('demo')).toEqual({ inPerSecond: 0, outPerSecond: 0 });
      for (let i = 0; i < 20; i++) counters.countIn('demo');
      for (let i = 0; i < 40; i++) counters.countOut('demo');
      counters.countIn('acme');
      vi.advanceTimersByTime(2_000);
      expect(counters.rates('demo')).toEqual({ inPerSecond: 10, outPerSecond: 20 });
      expect(counters.rates('acme')).toEqual({ inPerSecond: 0.5, outPerSecond: 0 });
      expect(counters.rates('other')).toEqual({ inPerSecond: 0, outPerSecond: 0 });
      // Once the burst is older than the window, the rate falls back to zero.
      vi.advanceTimersByTime(RATE_WINDOW_MS + 1_000);
      expect(counters.rates('demo')).toEqual({ inPerSecond: 0, outPerSecond: 0 });
    } finally {
      counters.stop();
    }
  });
});
