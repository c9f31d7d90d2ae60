import { describe, expect, it } from 'vitest';
import { MAX_AHEAD_MS, type ClockContext } from '../../../src/server/broker/clock-bounds';
import { checkNotification } from '../../../src/server/broker/check-notification';
import type { DecodedPayload } from '../../../src/shared/schemas';

const NOW = 1_750_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION = 30 * DAY;

const context: ClockContext = { now: () => NOW, historyRetentionMs: RETENTION };
const notification = (createdAt: number): DecodedPayload => ({
  kind: 'notification',
  user: 'bob',
  value: { id: 'n1', title: 'Deploy finished', body: '', createdAt },
});

describe('checkNotification: a notification’s time must be one the inbox can place', () => {
  it.each<[string, number, string | null]>([
    ['stamped now', NOW, null],
    ['ahead by exactly the allowed skew', NOW + MAX_AHEAD_MS, null],
    ['ahead by a millisecond more', NOW + MAX_AHEAD_MS + 1, 'created_at_ahead'],
    ['in 2100 (first in the inbox for good)', Date.UTC(2100, 0, 1), 'created_at_ahead'],
    ['queued by a service six hours ago', NOW - 6 * HOUR, null],
    ['exactly as old as the server keeps', NOW - RETENTION, null],
    ['older than the server keeps', NOW - RETENTION - 1, 'created_at_too_old'],
    ['at the epoch (the first the inbox’s cap drops)', 0, 'created_at_too_old'],
  ])('%s', (_case, createdAt, code) => {
    expect(checkNotification(notification(createdAt), context)?.code ?? null).toBe(code);
  });

  it('says how far off the time is, and what is allowed', () => {
    expect(checkNotification(notification(NOW + DAY), context)?.reason).toBe(
      "createdAt is 86400 s ahead of the server's clock; at most 60 s is allowed",
    );
    expect(checkNotification(notification(NOW - 40 * DAY), context)?.reason).toBe(
      'createdAt is 40 days old; the server keeps notifications for 30 days',
    );
  });

  it('does not ask the clock for a Last Will at CONNECT (stamped again when it fires)', () => {
    const atConnect = { ...context, checksTimes: false };
    expect(checkNotification(notification(0), atConnect)).toBeNull();
  });

  it('checks only notifications', () => {
    const state: DecodedPayload = {
      kind: 'agent-state',
      agent: 'agent-01',
      value: { status: 'idle', updatedAt: 0 },
    };
    expect(checkNotification(state, context)).toBeNull();
  });
});
