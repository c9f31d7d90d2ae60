import { describe, expect, it } from 'vitest';
import { MAX_AHEAD_MS, type ClockContext } from '../../../src/server/broker/clock-bounds';
import { checkStateTime } from '../../../src/server/broker/check-state-time';
import type { DecodedPayload } from '../../../src/shared/schemas';

const NOW = 1_750_000_000_000;
const DAY = 86_400_000;

const context: ClockContext = { now: () => NOW, historyRetentionMs: 30 * DAY };
const agentState = (updatedAt: number): DecodedPayload => ({
  kind: 'agent-state',
  agent: 'agent-01',
  value: { status: 'working', updatedAt },
});
const presence = (since: number): DecodedPayload => ({
  kind: 'presence',
  user: 'alice',
  clientId: 'alice-tab',
  value: { status: 'online', since },
});

describe('checkStateTime: a last-known state may not be stamped ahead of the server', () => {
  it.each<[string, DecodedPayload, string | null]>([
    ['an agent state stamped now', agentState(NOW), null],
    ['one ahead by exactly the allowed skew', agentState(NOW + MAX_AHEAD_MS), null],
    ['one ahead by a millisecond more', agentState(NOW + MAX_AHEAD_MS + 1), 'updated_at_ahead'],
    [
      'one in 2100 (never stale on the board)',
      agentState(Date.UTC(2100, 0, 1)),
      'updated_at_ahead',
    ],
    ['one that last changed a year ago', agentState(NOW - 365 * DAY), null],
    ['one at the epoch', agentState(0), null],
    ['a presence online since now', presence(NOW), null],
    ['a presence online since tomorrow', presence(NOW + DAY), 'since_ahead'],
    ['a presence online for a month', presence(NOW - 30 * DAY), null],
  ])('%s', (_case, message, code) => {
    expect(checkStateTime(message, context)?.code ?? null).toBe(code);
  });

  it('says how far ahead, and what is allowed', () => {
    expect(checkStateTime(agentState(NOW + DAY), context)?.reason).toBe(
      "updatedAt is 86400 s ahead of the server's clock; at most 60 s is allowed",
    );
  });

  it('does not ask the clock for a Last Will at CONNECT (stamped again when it fires)', () => {
    const atConnect = { ...context, checksTimes: false };
    expect(checkStateTime(agentState(NOW + DAY), atConnect)).toBeNull();
  });

  it('checks only last-known states', () => {
    const notification: DecodedPayload = {
      kind: 'notification',
      user: 'bob',
      value: { id: 'n1', title: 'Far ahead', body: '', createdAt: NOW + DAY },
    };
    expect(checkStateTime(notification, context)).toBeNull();
  });
});
