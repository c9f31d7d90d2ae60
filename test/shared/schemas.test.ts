import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  decodeStoredPayload,
  isPayloadId,
  MAX_ARGS_DEPTH,
  MAX_PAYLOAD_ID_LENGTH,
  storedChatMessageSchema,
  storedNotificationSchema,
} from '../../src/shared/schemas';

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

  it('refuses a __proto__ key as any unknown field, and lets nothing leak', () => {
    const result = decodePayload(
      'chat/general/messages',
      '{"id":"m1","from":"alice","text":"x","sentAt":1,"__proto__":{"polluted":true}}',
    );
    expect(result).toEqual({ ok: false, error: 'unknown field "__proto__": not in the contract' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// Each topic's payload as the contract has it, valid; `junk` added makes it invalid.
const VALID: [string, Record<string, unknown>][] = [
  ['chat/general/messages', { id: 'm1', from: 'alice', text: 'hi', sentAt: now }],
  ['chat/general/typing', { from: 'alice', typing: true }],
  ['presence/alice/alice-1', { status: 'online', since: now }],
  ['notifications/bob', { id: 'n1', title: 'Build done', body: '', createdAt: now }],
  ['agents/agent-01/state', { status: 'idle', updatedAt: now }],
  ['agents/agent-01/inbox', { id: 'c1', command: 'ping', from: 'alice' }],
  ['agents/agent-01/replies', { commandId: 'c1', status: 'done' }],
];

describe('decodePayload refuses a field outside the contract, naming it', () => {
  it.each(VALID)('%s', (topic, value) => {
    expect(decodePayload(topic, json(value)).ok).toBe(true);
    const result = decodePayload(topic, json({ ...value, junk: 'x'.repeat(250_000) }));
    expect(result).toEqual({ ok: false, error: 'unknown field "junk": not in the contract' });
  });

  it('names a few of many, each cut short: the reason is logged', () => {
    const fields = Object.fromEntries(
      Array.from({ length: 10_000 }, (_, i) => [`${'k'.repeat(1_000)}${i}`, 1]),
    );
    const result = decodePayload(
      'chat/general/typing',
      json({ from: 'a', typing: true, ...fields }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const shown = `"${'k'.repeat(64)}…"`;
    expect(result.error).toBe(
      `unknown fields ${shown}, ${shown}, ${shown} and 9997 more: not in the contract`,
    );
  });

  it('escapes what a field name holds', () => {
    const result = decodePayload(
      'chat/general/typing',
      json({ from: 'a', typing: true, '\n\u0000': 1 }),
    );
    expect(result).toEqual({ ok: false, error: 'unknown field "\\n\\u0000": not in the contract' });
  });

  it('and says so beside the other problems', () => {
    const result = decodePayload(
      'presence/alice/alice-1',
      json({ status: 'away', since: now, device: 'phone' }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^(?=.*status: )(?=.*unknown field "device")/);
  });

  it('but an agent command’s args are the command’s own, under any names', () => {
    const command = { id: 'c1', command: 'deploy', args: { env: 'prod', junk: [1] }, from: 'al' };
    expect(decodePayload('agents/agent-01/inbox', json(command))).toMatchObject({
      ok: true,
      message: { value: command },
    });
    expect(decodePayload('agents/agent-01/inbox', json({ ...command, env: 'prod' }))).toEqual({
      ok: false,
      error: 'unknown field "env": not in the contract',
    });
  });
});

/** `levels` of objects and arrays as JSON text: `{"a":[{"a":[…]}]}`, an object outermost. */
const nested = (levels: number): string => {
  let text = '1';
  for (let level = levels; level >= 1; level--) {
    text = level % 2 === 1 ? `{"a":${text}}` : `[${text}]`;
  }
  return text;
};
const commandWithArgs = (args: string) =>
  `{"id":"c1","command":"deploy","from":"al","args":${args}}`;

describe('an agent command’s args nest at most MAX_ARGS_DEPTH levels deep', () => {
  it.each([
    ['flat', '{"env":"prod"}', true],
    ['exactly that deep', nested(MAX_ARGS_DEPTH), true],
    ['one level deeper', nested(MAX_ARGS_DEPTH + 1), false],
    ['50,000 levels deep (it threw in the command log)', nested(50_000), false],
    ['deep in one of many fields', `{"a":1,"b":[2,3],"c":${nested(MAX_ARGS_DEPTH)}}`, false],
    ['wide but shallow', `{"list":[${Array(10_000).fill('[1]').join(',')}]}`, true],
  ])('%s: accepted %s', (_case, args, accepted) => {
    for (const decode of [decodePayload, decodeStoredPayload]) {
      const result = decode('agents/agent-01/inbox', commandWithArgs(args));
      expect(result).toEqual(
        accepted
          ? expect.objectContaining({ ok: true })
          : { ok: false, error: `args: must not nest more than ${MAX_ARGS_DEPTH} levels deep` },
      );
    }
  });
});

describe('no contract payload nested without end throws, whatever field holds it', () => {
  const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
  it.each([
    ['chat/general/messages', `{"id":"m1","from":"al","text":${deep},"sentAt":${now}}`],
    ['chat/general/messages', `{"id":"m1","from":"al","text":"hi","sentAt":${now},"x":${deep}}`],
    ['chat/general/typing', `{"from":"al","typing":${deep}}`],
    ['presence/al/al-1', `{"status":"online","since":${deep}}`],
    ['notifications/al', `{"id":"n1","title":"t","body":"b","createdAt":${now},"link":${deep}}`],
    ['agents/agent-01/state', `{"status":"idle","updatedAt":${now},"detail":${deep}}`],
    ['agents/agent-01/replies', `{"commandId":"c1","status":"done","detail":${deep}}`],
    ['agents/agent-01/inbox', `{"id":"c1","command":"deploy","from":"al","args":${deep}}`],
  ])('%s: refused', (topic, payload) => {
    expect(decodePayload(topic, payload).ok).toBe(false);
  });
});

describe('a chat message needs text that shows', () => {
  it.each([
    ['spaces and line breaks', '  \n\t '],
    ['no-break and ideographic spaces', '\u00a0\u3000'],
    ['zero-width spaces and joiners', '\u200b\u200c\u200d\u2060'],
    ['bidi marks and a byte order mark', '\u200e\u200f\u202e\ufeff'],
    ['a Hangul filler', '\u3164'],
    ['a braille blank', '\u2800'],
  ])('refuses %s alone, saying why; accepts them around a visible character', (_case, text) => {
    const message = (text: string) => json({ id: 'm1', from: 'alice', text, sentAt: now });
    expect(decodePayload('chat/general/messages', message(text))).toEqual({
      ok: false,
      error: 'text: must have a visible character',
    });
    expect(decodePayload('chat/general/messages', message(`${text}.${text}`)).ok).toBe(true);
  });
});

describe('a notification needs a title that shows', () => {
  const notification = (title: string) =>
    json({ id: 'n1', title, body: 'the body', createdAt: now });

  it.each(['', '   ', '\u200b', '\u202e\u200f'])('refuses %j, saying why', (title) => {
    expect(decodePayload('notifications/bob', notification(title))).toEqual({
      ok: false,
      error: 'title: must have a visible character',
    });
  });

  it('accepts one around a visible character, and reads a kept one that shows nothing', () => {
    expect(decodePayload('notifications/bob', notification('\u200bDeploy\u200b')).ok).toBe(true);
    expect(decodeStoredPayload('notifications/bob', notification('\u200b')).ok).toBe(true);
  });
});

describe('an agent command needs a name that shows', () => {
  it.each(['', ' ', '\u200b'])('refuses %j, saying why', (command) => {
    const payload = json({ id: 'c1', command, from: 'alice' });
    expect(decodePayload('agents/agent-01/inbox', payload)).toEqual({
      ok: false,
      error: 'command: must have a visible character',
    });
  });
});

describe('stored payloads are read with unknown fields dropped, not refused', () => {
  it.each(VALID)('%s', (topic, value) => {
    const result = decodeStoredPayload(topic, json({ ...value, junk: 'kept from before' }));
    expect(result).toMatchObject({ ok: true, message: { value } });
    if (result.ok) expect(result.message.value).not.toHaveProperty('junk');
  });

  it('and checked as payloads are otherwise', () => {
    const result = decodeStoredPayload(
      'presence/alice/alice-1',
      json({ status: 'away', since: 1 }),
    );
    expect(result.ok).toBe(false);
  });

  it('a history message: the server’s own fields dropped; invisible text kept from before', () => {
    const kept = { id: 'm1', from: 'bob', text: '\u200b', sentAt: now };
    expect(storedChatMessageSchema.safeParse({ ...kept, seq: 7 })).toEqual({
      success: true,
      data: kept,
    });
    expect(storedChatMessageSchema.safeParse({ ...kept, text: '' }).success).toBe(false);
  });

  it('an inbox notification: its `read` dropped', () => {
    const note = { id: 'n1', title: 'Build done', body: '', createdAt: now };
    expect(storedNotificationSchema.safeParse({ ...note, read: true })).toEqual({
      success: true,
      data: note,
    });
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
