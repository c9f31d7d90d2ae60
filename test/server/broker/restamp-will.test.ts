import { describe, expect, it } from 'vitest';
import { firingId, restampWill } from '../../../src/server/broker/restamp-will';
import { chatMessageSchema, MAX_PAYLOAD_ID_LENGTH } from '../../../src/shared/schemas';
import type { TopicKind } from '../../../src/shared/topics';

const NOW = 1_750_000_000_000;
const FIRED = `~${NOW.toString(36)}`; // "~mbxstdz4"
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('restampWill: a will goes out stamped when it fires', () => {
  it.each<[TopicKind, Record<string, unknown>, Record<string, unknown>]>([
    [
      'chat-message',
      { id: 'w', from: 'alice', text: 'hi', sentAt: 1 },
      { id: `w${FIRED}`, sentAt: NOW },
    ],
    [
      'notification',
      { id: 'n', title: 't', body: '', createdAt: 1 },
      { id: `n${FIRED}`, createdAt: NOW },
    ],
    ['agent-state', { status: 'offline', task: 'build', updatedAt: 1 }, { updatedAt: NOW }],
    ['presence', { status: 'offline', since: 1 }, { since: NOW }],
  ])(
    '%s: sets its time (and id) for this firing and keeps every other field',
    (kind, payload, now) => {
      expect(JSON.parse(restampWill(kind, bytes(payload), NOW)!.toString())).toEqual({
        ...payload,
        ...now,
      });
    },
  );

  it.each<[TopicKind, Record<string, unknown>]>([
    ['presence', { status: 'offline', since: 1 }],
    ['agent-state', { status: 'offline', task: 'build', updatedAt: 1 }],
  ])(
    '%s stored before fields outside the contract were refused: goes without them',
    (kind, payload) => {
      const stored = bytes({ ...payload, battery: 80 });
      const restamped = JSON.parse(restampWill(kind, stored, NOW)!.toString()) as object;
      expect(Object.keys(restamped).sort()).toEqual(Object.keys(payload).sort());
    },
  );

  it('gives each firing of the same will an id of its own', () => {
    const will = bytes({ id: 'w', from: 'alice', text: 'hi', sentAt: 1 });
    const ids = [NOW, NOW + 1, NOW + 86_400_000].map(
      (now) =>
        (JSON.parse(restampWill('chat-message', will, now)!.toString()) as { id: string }).id,
    );
    expect(new Set(ids).size).toBe(3);
  });

  it.each([
    ['no id', { from: 'alice', text: 'hi', sentAt: 1 }],
    ['an empty id', { id: '', from: 'alice', text: 'hi', sentAt: 1 }],
    [
      'an id too long',
      { id: 'x'.repeat(MAX_PAYLOAD_ID_LENGTH + 1), from: 'a', text: 'h', sentAt: 1 },
    ],
    ['an id that is no string', { id: 7, from: 'alice', text: 'hi', sentAt: 1 }],
  ])('leaves the id of a chat will with %s as it is (the checks refuse it)', (_case, payload) => {
    const restamped = JSON.parse(restampWill('chat-message', bytes(payload), NOW)!.toString());
    expect(restamped).toEqual({ ...payload, sentAt: NOW });
  });

  it.each<[TopicKind, Record<string, unknown>]>([
    ['chat-typing', { from: 'alice', typing: false }],
    ['agent-replies', { commandId: 'c', status: 'failed', detail: 'gone' }],
  ])('%s: carries no time, left alone', (kind, payload) => {
    expect(restampWill(kind, bytes(payload), NOW)).toBeNull();
  });

  it('agent-inbox: carries no time, but gets an id of this firing (its log keeps each id once)', () => {
    const command = { id: 'c', command: 'cancel', args: { task: 7 }, from: 'alice' };
    expect(JSON.parse(restampWill('agent-inbox', bytes(command), NOW)!.toString())).toEqual({
      ...command,
      id: `c${FIRED}`,
    });
    const later = JSON.parse(restampWill('agent-inbox', bytes(command), NOW + 1)!.toString());
    expect(later.id).not.toBe(`c${FIRED}`);
  });

  it('leaves a command whose args nest too deep to write again (stored before the bound) alone', () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const stored = Buffer.from(`{"id":"c","command":"x","from":"alice","args":{"a":${deep}}}`);
    expect(restampWill('agent-inbox', stored, NOW)).toBeNull();
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

describe('firingId: the id of one firing of a will', () => {
  const longest = 'x'.repeat(MAX_PAYLOAD_ID_LENGTH);
  it.each([
    ['a short id', 'w', `w${FIRED}`],
    [
      'a uuid',
      '0b8e2c9a-5f7d-4f0e-9a51-8d3c2f1e7b6a',
      `0b8e2c9a-5f7d-4f0e-9a51-8d3c2f1e7b6a${FIRED}`,
    ],
    [
      'the longest id, cut',
      longest,
      `${longest.slice(0, MAX_PAYLOAD_ID_LENGTH - FIRED.length)}${FIRED}`,
    ],
    // 55 characters kept would end halfway through the emoji: it goes whole.
    [
      'an id cut through a surrogate pair',
      `${'x'.repeat(54)}😀${'y'.repeat(8)}`,
      `${'x'.repeat(54)}${FIRED}`,
    ],
  ])('%s', (_case, id, expected) => {
    const fired = firingId(id, NOW);
    expect(fired).toBe(expected);
    // Still a valid id for every parser of the contract (the browser's router too).
    const message = { id: fired, from: 'alice', text: 'hi', sentAt: NOW };
    expect(chatMessageSchema.safeParse(message).success).toBe(true);
  });
});
