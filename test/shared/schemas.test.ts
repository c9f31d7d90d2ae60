import { describe, expect, it } from 'vitest';
import { decodePayload, isPayloadId, MAX_PAYLOAD_ID_LENGTH } from '../../src/shared/schemas';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const now = 1_700_000_000_000;

describe('decodePayload accepts valid payloads', () => {
  it.each([
    ['chat/general/messages', { id: 'm1', from: 'alice', text: 'hi', sentAt: now }, 'chat-message'],
    ['chat/general/typing', { from: 'alice', typing: true }, 'chat-typing'],
    ['presence/alice/alice-1', { status: 'online', since: now }, 'presence'],
    [
      'notifications/bob',
      { id: 'n1', title: 'Build done', body: '', createdAt: now },
      'notification',
    ],
    [
      'agents/agent-01/state',
      { status: 'working', task: 'Index', progress: 40, updatedAt: now },
      'agent-state',
    ],
    ['agents/agent-01/inbox', { id: 'c1', command: 'ping', from: 'alice' }, 'agent-inbox'],
    [
      'agents/agent-01/replies',
      { commandId: 'c1', status: 'done', detail: 'pong' },
      'agent-replies',
    ],
  ])('%s', (topic, value, kind) => {
    const result = decodePayload(topic, json(value));
    expect(result).toMatchObject({ ok: true, message: { kind, value } });
  });
});

describe('decodePayload refuses invalid payloads with a reason', () => {
  it.each([
    ['chat/general/messages', json({ id: 'm1', from: 'alice', text: '', sentAt: now }), /text/],
    ['chat/general/messages', json({ id: 'm1', from: 'Alice!', text: 'x', sentAt: now }), /from/],
    [
      'chat/general/messages',
      json({ id: 'm1', from: 'alice', text: 'x'.repeat(4_001), sentAt: now }),
      /text/,
    ],
    ['chat/general/messages', new TextEncoder().encode('{not json'), /not JSON/],
    ['chat/general/messages', new Uint8Array([0xff, 0xfe]), /UTF-8/],
    ['chat/general/messages', new Uint8Array(), /empty/],
    ['chat/general/messages', json([1, 2]), /expected object/i],
    ['presence/alice/c1', json({ status: 'away', since: now }), /status/],
    [
      'agents/agent-01/state',
      json({ status: 'working', progress: 101, updatedAt: now }),
      /progress/,
    ],
    ['agents/agent-01/state', json({ status: 'working', updatedAt: -1 }), /updatedAt/],
    ['unknown/topic', json({}), /outside the contract/],
  ])('%s %#', (topic, payload, reason) => {
    const result = decodePayload(topic, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(reason);
  });

  it('does not let __proto__ keys leak into the decoded value', () => {
    const result = decodePayload(
      'chat/general/messages',
      '{"id":"m1","from":"alice","text":"x","sentAt":1,"__proto__":{"polluted":true}}',
    );
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (result.ok) expect(Object.keys(result.message.value)).not.toContain('__proto__');
  });
});

describe('isPayloadId: the id rule of chat messages and notifications', () => {
  it.each([
    ['one character', 'm', true],
    ['the longest', 'm'.repeat(MAX_PAYLOAD_ID_LENGTH), true],
    ['empty', '', false],
    ['one too long', 'm'.repeat(MAX_PAYLOAD_ID_LENGTH + 1), false],
    ['not a string', 7, false],
  ] as const)('%s', (_, id, valid) => {
    expect(isPayloadId(id)).toBe(valid);
    // As the payload schemas have it.
    const decoded = decodePayload(
      'chat/general/messages',
      json({ id, from: 'alice', text: 'hi', sentAt: now }),
    );
    expect(decoded.ok).toBe(valid);
  });
});
