import { describe, expect, it } from 'vitest';
import {
  checkChat,
  checkSentAt,
  MAX_SENT_AT_AHEAD_MS,
  type ChatContext,
} from '../../../src/server/broker/check-chat';
import type { DecodedPayload } from '../../../src/shared/schemas';

const NOW = 1_750_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION = 30 * DAY;

describe('checkSentAt: a chat message’s time must be one the timeline can place', () => {
  it.each<[string, number, string | null]>([
    ['stamped now', NOW, null],
    ['a little ahead (a clock off by half a round trip)', NOW + 2_000, null],
    ['ahead by exactly the allowed skew', NOW + MAX_SENT_AT_AHEAD_MS, null],
    ['ahead by a millisecond more', NOW + MAX_SENT_AT_AHEAD_MS + 1, 'sent_at_ahead'],
    ['a year ahead (pinned as the newest for a year)', NOW + 365 * DAY, 'sent_at_ahead'],
    ['written offline six hours ago, sent on reconnect', NOW - 6 * HOUR, null],
    ['written offline 29 days ago', NOW - 29 * DAY, null],
    ['exactly as old as the history keeps', NOW - RETENTION, null],
    ['older than the history keeps', NOW - RETENTION - 1, 'sent_at_too_old'],
    ['at the epoch (shown as 1970)', 0, 'sent_at_too_old'],
  ])('%s: %s', (_case, sentAt, code) => {
    expect(checkSentAt(sentAt, NOW, RETENTION)?.code ?? null).toBe(code);
  });

  it('says how far off the time is, and what is allowed', () => {
    expect(checkSentAt(NOW + 365 * DAY, NOW, RETENTION)?.reason).toBe(
      "sentAt is 31536000 s ahead of the server's clock; at most 60 s is allowed",
    );
    expect(checkSentAt(0, NOW, RETENTION)?.reason).toBe(
      'sentAt is 20254 days old; the history keeps messages for 30 days',
    );
    expect(checkSentAt(NOW - 40 * DAY, NOW, DAY)?.reason).toBe(
      'sentAt is 40 days old; the history keeps messages for 1 day',
    );
  });
});

describe('checkChat: chat goes only to a room of the publisher’s org', () => {
  const asked: string[] = [];
  const context = (rooms: string[], now = NOW): ChatContext => ({
    now: () => now,
    historyRetentionMs: RETENTION,
    roomExists: (org, room) => {
      asked.push(`${org}/${room}`);
      return rooms.includes(`${org}/${room}`);
    },
  });
  const chat = (room: string, sentAt = NOW): DecodedPayload => ({
    kind: 'chat-message',
    room,
    value: { id: 'm1', from: 'alice', text: 'hi', sentAt },
  });
  const typing = (room: string): DecodedPayload => ({
    kind: 'chat-typing',
    room,
    value: { from: 'alice', typing: true },
  });

  it.each<[string, DecodedPayload, string | null]>([
    ['a message to a room of the org', chat('general'), null],
    ['typing in a room of the org', typing('general'), null],
    ['a message to no room', chat('no-such-room'), 'room_unknown'],
    ['typing in no room', typing('no-such-room'), 'room_unknown'],
    ['a message to a room of another org only', chat('elsewhere'), 'room_unknown'],
    [
      'a message to no room, stamped at the epoch too: the room is the reason',
      chat('nope', 0),
      'room_unknown',
    ],
    ['a message to a room, stamped ahead', chat('general', NOW + DAY), 'sent_at_ahead'],
    ['a message to a room, stamped at the epoch', chat('general', 0), 'sent_at_too_old'],
  ])('%s', (_case, message, code) => {
    const verdict = checkChat('demo', message, context(['demo/general', 'acme/elsewhere']));
    expect(verdict?.code ?? null).toBe(code);
  });

  it('names the missing room', () => {
    expect(checkChat('demo', chat('no-such-room'), context([]))?.reason).toBe(
      'there is no room "no-such-room"',
    );
  });

  it('asks nothing about rooms for the other topics of the contract', () => {
    asked.length = 0;
    const state: DecodedPayload = {
      kind: 'agent-state',
      agent: 'agent-01',
      value: { status: 'idle', updatedAt: 0 },
    };
    expect(checkChat('demo', state, context([]))).toBeNull();
    expect(asked).toEqual([]);
  });

  it('refuses, rather than throws into aedes, when the rooms cannot be read', () => {
    const failing: ChatContext = {
      ...context([]),
      roomExists: () => {
        throw new Error('SQLITE_IOERR');
      },
    };
    expect(checkChat('demo', chat('general'), failing)).toEqual({
      code: 'room_check_failed',
      reason: 'the room could not be looked up: SQLITE_IOERR',
    });
  });
});
