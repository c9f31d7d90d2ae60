import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPacedLines, type PaceOutcome } from '../../../src/server/broker/paced-lines';
import { createTokenBuckets } from '../../../src/server/broker/token-buckets';

const RATE = 20; // a token back every 50 ms
const BURST = 5;
const TOKEN_MS = 1_000 / RATE;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function paced(options: { maxWaiting?: number; maxBytes?: number } = {}) {
  const buckets = createTokenBuckets({ ratePerSecond: RATE, burst: BURST, now: Date.now });
  const lines = createPacedLines({
    buckets,
    maxWaiting: options.maxWaiting ?? 10,
    maxBytes: options.maxBytes ?? 1_000,
  });
  const went: string[] = [];
  const told: string[] = [];
  const send = (key: string, name: string, bytes = 10): PaceOutcome =>
    lines.pace(key, { bytes, go: () => went.push(name) }, () => told.push(key));
  const sendAll = (key: string, names: string[], bytes = 10) =>
    names.map((name) => send(key, name, bytes));
  return { lines, went, told, send, sendAll };
}

const named = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('createPacedLines', () => {
  it('lets a burst go at once, then spreads the rest out at the rate, in order', () => {
    const p = paced();
    const outcomes = p.sendAll('alice', named('m', BURST + 3));
    expect(outcomes).toEqual([...Array(BURST).fill('now'), 'waits', 'waits', 'waits']);
    expect(p.went).toEqual(named('m', BURST));
    expect(p.lines.waiting).toBe(3);
    expect(p.told).toEqual(['alice']); // once, when the first had to wait

    vi.advanceTimersByTime(TOKEN_MS - 1);
    expect(p.went).toHaveLength(BURST);
    vi.advanceTimersByTime(1);
    expect(p.went).toEqual(named('m', BURST + 1));
    vi.advanceTimersByTime(2 * TOKEN_MS);
    expect(p.went).toEqual(named('m', BURST + 3));
    expect(p.lines.waiting).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // an empty line keeps no timer
  });

  it('keeps a newcomer behind those waiting, even once a token is back', () => {
    const p = paced();
    p.sendAll('alice', named('m', BURST + 2));
    vi.setSystemTime(Date.now() + TOKEN_MS); // a token back, its timer not yet run
    expect(p.send('alice', 'late')).toBe('waits');
    vi.runAllTimers();
    expect(p.went.slice(BURST)).toEqual(['m5', 'm6', 'late']);
  });

  it('goes at once again once the line is empty and the bucket has a token', () => {
    const p = paced();
    p.sendAll('alice', named('m', BURST + 1));
    vi.advanceTimersByTime(10 * TOKEN_MS);
    expect(p.send('alice', 'after')).toBe('now');
    expect(p.went.at(-1)).toBe('after');
  });

  it('turns away what would pass maxWaiting, and keeps those in line', () => {
    const p = paced({ maxWaiting: 2 });
    expect(p.sendAll('alice', named('m', BURST + 3)).slice(BURST)).toEqual([
      'waits',
      'waits',
      'full',
    ]);
    vi.runAllTimers();
    expect(p.went).toEqual(named('m', BURST + 2));
  });

  it('turns away what would pass maxBytes, whatever the count', () => {
    const p = paced({ maxBytes: 100 });
    p.sendAll('alice', named('m', BURST));
    expect(p.send('alice', 'a', 60)).toBe('waits');
    expect(p.send('alice', 'big', 41)).toBe('full');
    expect(p.send('alice', 'b', 40)).toBe('waits');
    expect(p.send('bob', 'huge', 101)).toBe('now'); // bob has tokens: no line to pass
    vi.runAllTimers();
    expect(p.went).toEqual([...named('m', BURST), 'huge', 'a', 'b']);
  });

  it('never holds one with maxWaiting 0, nor one bigger than maxBytes', () => {
    const none = paced({ maxWaiting: 0 });
    none.sendAll('alice', named('m', BURST));
    expect(none.send('alice', 'next')).toBe('full');
    expect(none.lines.waiting).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    const small = paced({ maxBytes: 50 });
    small.sendAll('alice', named('m', BURST));
    expect(small.send('alice', 'big', 51)).toBe('full');
    expect(small.send('alice', 'fits', 50)).toBe('waits');
  });

  it('keeps each key its own line', () => {
    const p = paced();
    p.sendAll('alice', named('a', BURST + 2));
    expect(p.sendAll('bob', named('b', BURST))).toEqual(Array(BURST).fill('now'));
    expect(p.send('bob', 'b-more')).toBe('waits');
    vi.advanceTimersByTime(TOKEN_MS);
    expect(p.went.slice(-2).sort()).toEqual(['a5', 'b-more']);
  });

  it('takes in line whoever joins while the line goes (a go that reads the next packet)', () => {
    const p = paced();
    p.sendAll('alice', named('m', BURST));
    let joined = false;
    p.lines.pace(
      'alice',
      {
        bytes: 10,
        go: () => {
          p.went.push('first');
          if (!joined) expect(p.send('alice', 'joined')).toBe('waits');
          joined = true;
        },
      },
      () => {},
    );
    vi.advanceTimersByTime(TOKEN_MS);
    expect(p.went.slice(BURST)).toEqual(['first']);
    vi.advanceTimersByTime(TOKEN_MS);
    expect(p.went.slice(BURST)).toEqual(['first', 'joined']);
    vi.runAllTimers();
    expect(p.lines.waiting).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('spends no token nor room on one abandoned while it waited (its connection closed)', () => {
    const p = paced({ maxWaiting: 3 });
    p.sendAll('alice', named('m', BURST));
    let closed = false;
    const dead = (name: string) =>
      p.lines.pace(
        'alice',
        { bytes: 10, go: () => p.went.push(name), abandoned: () => closed },
        () => {},
      );
    expect(['d0', 'd1', 'd2'].map(dead)).toEqual(['waits', 'waits', 'waits']);
    closed = true;
    // Its resends, from the client back on a new connection: the line was full of the dead.
    expect(p.sendAll('alice', ['r0', 'r1', 'r2'])).toEqual(['waits', 'waits', 'waits']);
    vi.advanceTimersByTime(TOKEN_MS);
    expect(p.went.slice(BURST)).toEqual(['r0']); // the first token goes to the first resend
    vi.runAllTimers();
    expect(p.went.slice(BURST)).toEqual(['r0', 'r1', 'r2']);
    expect(p.lines.waiting).toBe(0);
  });

  it('drops what waits when closed: nothing goes after', () => {
    const p = paced();
    p.sendAll('alice', named('m', BURST + 3));
    p.lines.close();
    expect(p.lines.waiting).toBe(0);
    vi.runAllTimers();
    expect(p.went).toEqual(named('m', BURST));
  });

  it('lets nothing paced after its close go, nor keeps a timer for it', () => {
    const p = paced();
    p.lines.close();
    expect(p.sendAll('alice', named('m', BURST + 1))).toEqual(Array(BURST + 1).fill('waits'));
    expect(vi.getTimerCount()).toBe(0);
    vi.runAllTimers();
    expect(p.went).toEqual([]);
    expect(p.lines.waiting).toBe(0);
  });
});
