import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/shared/schemas';
import { expectError, signIn, startTestApi, storedSession, type TestApi } from './test-api';

interface Page {
  messages: ChatMessage[];
  nextCursor: string | null;
}

const msg = (n: number): ChatMessage => ({
  id: `m${n}`,
  from: n % 2 ? 'alice' : 'bob',
  text: `message ${n}`,
  sentAt: 1_700_000_000_000 + n,
});

describe('GET /api/rooms/:room/messages', () => {
  let api: TestApi;
  let cookie: string;
  beforeEach(async () => {
    api = await startTestApi();
    cookie = await signIn(api.app, 'alice@demo');
    for (let n = 1; n <= 120; n++) api.t.storage.history.record('demo', 'general', msg(n));
    api.t.storage.history.record('acme', 'general', { ...msg(999), from: 'mallory' });
  });
  afterEach(() => api.close());

  const get = (url: string, headers: Record<string, string> = { cookie }) =>
    api.app.inject({ method: 'GET', url, headers });

  it('returns the newest 50 oldest-first, then pages back with nextCursor', async () => {
    const first = await get('/api/rooms/general/messages');
    expect(first.statusCode).toBe(200);
    const page1 = first.json() as Page;
    expect(page1.messages).toHaveLength(50);
    expect(page1.messages[0]).toEqual(msg(71));
    expect(page1.messages.at(-1)).toEqual(msg(120));
    expect(page1.nextCursor).toEqual(expect.any(String));

    const page2 = (
      await get(`/api/rooms/general/messages?before=${page1.nextCursor}&limit=60`)
    ).json() as Page;
    expect(page2.messages.map((m) => m.id)).toEqual(
      Array.from({ length: 60 }, (_, i) => `m${i + 11}`),
    );
    const page3 = (
      await get(`/api/rooms/general/messages?before=${page2.nextCursor}&limit=200`)
    ).json() as Page;
    expect(page3.messages.map((m) => m.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i + 1}`),
    );
    expect(page3.nextCursor).toBeNull();
  });

  it('honours limit and returns an empty page for a room without messages', async () => {
    const page = (await get('/api/rooms/general/messages?limit=1')).json() as Page;
    expect(page.messages).toEqual([msg(120)]);
    expect((await get('/api/rooms/random/messages')).json()).toEqual({
      messages: [],
      nextCursor: null,
    });
  });

  it('never shows another org’s messages', async () => {
    const mallory = await signIn(api.app, 'mallory@acme');
    const page = (await get('/api/rooms/general/messages', { cookie: mallory })).json() as Page;
    expect(page.messages.map((m) => m.from)).toEqual(['mallory']);
  });

  const badLimits = ['0', '201', '-1', '1.5', 'ten', '', '1e2', '99999'];
  it.each(badLimits)('refuses limit=%j', async (limit) => {
    expectError(await get(`/api/rooms/general/messages?limit=${limit}`), 400, 'invalid_limit');
  });

  it('refuses a repeated limit', async () => {
    expectError(await get('/api/rooms/general/messages?limit=5&limit=6'), 400, 'invalid_limit');
  });

  const badCursors = ['abc', '0', '-5', '1.5', '', '%20', '99999999999999999999'];
  it.each(badCursors)('refuses before=%j', async (before) => {
    expectError(await get(`/api/rooms/general/messages?before=${before}`), 400, 'invalid_cursor');
  });

  const badRooms = [
    'General',
    '%2B',
    '%23',
    'a%2Fb',
    '__proto__',
    'constructor',
    'x'.repeat(65),
    // Past the router's default 100-character parameter limit, which answered 404.
    'x'.repeat(101),
    '%41'.repeat(300),
  ];
  it.each(badRooms)('refuses room id %j', async (room) => {
    expectError(await get(`/api/rooms/${room}/messages`), 400, 'invalid_room_id');
  });

  it('refuses (403) a room the caller’s ACL does not let them read, as the broker would', async () => {
    api.t.storage.users.setExtraRules('demo', 'alice', [
      { permission: 'deny', action: 'all', topic: 'chat/general/#' },
    ]);
    expectError(await get('/api/rooms/general/messages'), 403, 'forbidden');
    expect((await get('/api/rooms/random/messages')).statusCode).toBe(200);
    // An agent has no chat rights at all: not even whether a room exists.
    const agent = storedSession(api, 'demo', 'agent-01');
    expectError(await get('/api/rooms/general/messages', { cookie: agent }), 403, 'forbidden');
    expectError(await get('/api/rooms/nowhere/messages', { cookie: agent }), 403, 'forbidden');
  });

  it('answers 404 for a room that does not exist', async () => {
    expectError(await get('/api/rooms/nowhere/messages'), 404, 'room_not_found');
  });

  it('refuses without a session', async () => {
    expectError(await get('/api/rooms/general/messages', {}), 401, 'not_signed_in');
  });
});
