import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/server/storage';
import type { ChatMessage } from '../../../src/shared/schemas';
import { openTempStorage, type TempStorage } from './temp-storage';

const msg = (n: number): ChatMessage => ({
  id: `m${n}`,
  from: 'alice',
  text: `hello ${n}`,
  sentAt: 1_000 + n,
});

describe('HistoryStore', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
  });
  afterEach(() => t.cleanup());

  it('stores a redelivered message once', () => {
    const { history } = t.storage;
    expect(history.record('demo', 'general', msg(1))).toBe(true);
    expect(history.record('demo', 'general', { ...msg(1), text: 'changed' })).toBe(false);
    expect(history.count('demo', 'general')).toBe(1);
    expect(history.page('demo', 'general', { limit: 10 }).messages).toEqual([msg(1)]);
  });

  it('tells the same message again from another one under its id', () => {
    const { history } = t.storage;
    history.record('demo', 'general', msg(1));
    expect(history.holds('demo', 'general', msg(1))).toBe(true);
    expect(history.holds('demo', 'general', { ...msg(1), from: 'mallory' })).toBe(false);
    expect(history.holds('demo', 'general', { ...msg(1), text: 'EPHEMERAL' })).toBe(false);
    expect(history.holds('demo', 'general', { ...msg(1), sentAt: 1 })).toBe(false);
    expect(history.holds('demo', 'random', msg(1))).toBe(false);
    expect(history.holds('acme', 'general', msg(1))).toBe(false);
  });

  it('finds a recorded message by id, in its room and org only', () => {
    const { history } = t.storage;
    history.record('demo', 'general', msg(1));
    expect(history.get('demo', 'general', 'm1')).toEqual(msg(1));
    expect(history.get('demo', 'random', 'm1')).toBeUndefined();
    expect(history.get('acme', 'general', 'm1')).toBeUndefined();
    expect(history.get('demo', 'general', 'm2')).toBeUndefined();
  });

  it('keeps the same message id apart per room and per org', () => {
    const { history } = t.storage;
    expect(history.record('demo', 'general', msg(1))).toBe(true);
    expect(history.record('demo', 'random', msg(1))).toBe(true);
    expect(history.record('acme', 'general', msg(1))).toBe(true);
    expect(history.count('demo', 'general')).toBe(1);
    expect(history.page('acme', 'random', { limit: 10 })).toEqual({
      messages: [],
      nextCursor: null,
    });
  });

  it('pages from the newest to the oldest, each page oldest-first', () => {
    const { history } = t.storage;
    for (let n = 1; n <= 5; n++) history.record('demo', 'general', msg(n));
    history.record('demo', 'random', msg(99)); // interleaved, must not appear

    const first = history.page('demo', 'general', { limit: 2 });
    expect(first.messages.map((m) => m.id)).toEqual(['m4', 'm5']);
    expect(first.nextCursor).toEqual(expect.any(String));

    const second = history.page('demo', 'general', { limit: 2, before: first.nextCursor ?? '' });
    expect(second.messages.map((m) => m.id)).toEqual(['m2', 'm3']);

    const third = history.page('demo', 'general', { limit: 2, before: second.nextCursor ?? '' });
    expect(third).toEqual({ messages: [msg(1)], nextCursor: null });
  });

  it('says there is nothing older when a page ends exactly at the oldest', () => {
    const { history } = t.storage;
    for (let n = 1; n <= 4; n++) history.record('demo', 'general', msg(n));
    const first = history.page('demo', 'general', { limit: 2 });
    const second = history.page('demo', 'general', { limit: 2, before: first.nextCursor ?? '' });
    expect(second.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(second.nextCursor).toBeNull();
  });

  const badCursors = ['abc', '-1', '0', '1.5', '', '01', '99999999999999999', ' 3'];
  it.each(badCursors)('refuses cursor %j', (before) => {
    expect(() => t.storage.history.page('demo', 'general', { limit: 5, before })).toThrow(
      expect.objectContaining({ code: 'invalid_cursor' }),
    );
  });

  it.each([0, -1, 1.5, 1_001, Number.NaN])('refuses limit %s', (limit) => {
    expect(() => t.storage.history.page('demo', 'general', { limit })).toThrow(StorageError);
  });

  it('prunes by the time the server received a message, not the sender clock', () => {
    const { history } = t.storage;
    history.record('demo', 'general', { ...msg(1), sentAt: 9_999_999_999_999 }, 1_000);
    history.record('demo', 'general', msg(2), 2_000);
    history.record('demo', 'general', msg(3), 3_000);
    expect(history.prune(2_500)).toBe(2);
    expect(history.page('demo', 'general', { limit: 10 }).messages).toEqual([msg(3)]);
  });

  it('never reuses a sequence after the newest rows are pruned', () => {
    const { history } = t.storage;
    history.record('demo', 'general', msg(1), 1_000);
    history.record('demo', 'general', msg(2), 1_000);
    const cursorBefore2 = history.page('demo', 'general', { limit: 1 }).nextCursor;
    history.prune(2_000);
    history.record('demo', 'general', msg(3), 3_000);
    // The old cursor pointed below m2; m3 came later, so it is not "older" than it.
    expect(history.page('demo', 'general', { limit: 5, before: cursorBefore2 ?? '' })).toEqual({
      messages: [],
      nextCursor: null,
    });
  });

  it('refuses an invalid room id when recording', () => {
    expect(() => t.storage.history.record('demo', 'a/b', msg(1))).toThrow(
      expect.objectContaining({ code: 'invalid_id' }),
    );
  });
});
