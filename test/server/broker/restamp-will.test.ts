import { describe, expect, it } from 'vitest';
import { restampWill } from '../../../src/server/broker/restamp-will';
import type { TopicKind } from '../../../src/shared/topics';

const NOW = 1_750_000_000_000;
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('restampWill: a will goes out stamped when it fires', () => {
  it.each<[TopicKind, Record<string, unknown>, string]>([
    ['chat-message', { id: 'w', from: 'alice', text: 'hi', sentAt: 1 }, 'sentAt'],
    ['notification', { id: 'n', title: 't', body: '', createdAt: 1 }, 'createdAt'],
    ['agent-state', { status: 'offline', task: 'build', updatedAt: 1 }, 'updatedAt'],
    ['presence', { status: 'offline', since: 1 }, 'since'],
  ])('%s: sets its time to now and keeps every other field', (kind, payload, field) => {
    expect(JSON.parse(restampWill(kind, bytes(payload), NOW)!.toString())).toEqual({
      ...payload,
      [field]: NOW,
    });
  });

  it.each<[TopicKind, Record<string, unknown>]>([
    ['chat-typing', { from: 'alice', typing: false }],
    ['agent-replies', { commandId: 'c', status: 'failed', detail: 'gone' }],
    ['agent-inbox', { id: 'c', command: 'ping', from: 'alice', sentAt: 1 }],
  ])('%s: carries no time, left alone', (kind, payload) => {
    expect(restampWill(kind, bytes(payload), NOW)).toBeNull();
  });

  it.each([
    ['not JSON', 'nope'],
    ['empty (a retained state cleared)', ''],
    ['an array', '[1]'],
    ['null', 'null'],
    ['no updatedAt', '{"status":"offline"}'],
    ['an updatedAt that is no number', '{"status":"offline","updatedAt":"soon"}'],
  ])('leaves %s alone (the checks refuse it)', (_case, text) => {
    expect(restampWill('agent-state', Buffer.from(text), NOW)).toBeNull();
  });
});
