import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/shared/schemas';
import type { UnreadCounts } from '../../../src/shared/unread-api';
import {
  expectError,
  PASSWORD,
  signIn,
  startTestApi,
  storedSession,
  type TestApi,
} from './test-api';

const msg = (id: string, from: string): ChatMessage => ({ id, from, text: id, sentAt: 1_000 });

describe('GET /api/unread and PUT /api/rooms/:room/read', () => {
  let api: TestApi;
  let alice: string;
  beforeEach(async () => {
    api = await startTestApi();
    alice = await signIn(api.app, 'alice@demo');
  });
  afterEach(() => api.close());

  const say = (room: string, id: string, from: string, org = 'demo') =>
    api.t.storage.history.record(org, room, msg(id, from));
  const unread = async (cookie = alice) => {
    const res = await api.app.inject({ method: 'GET', url: '/api/unread', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { rooms } = res.json() as UnreadCounts;
    return Object.fromEntries(rooms.map((r) => [r.room, r.unread]));
  };
  const markRead = (room: string, body: unknown, cookie = alice) =>
    api.app.inject({
      method: 'PUT',
      url: `/api/rooms/${room}/read`,
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  it('counts messages from others in every room the caller may read, as of the server’s clock', async () => {
    expect(await unread()).toEqual({ general: 0, random: 0 });
    say('general', 'g1', 'bob');
    say('general', 'g2', 'alice'); // her own: never unread
    say('general', 'g3', 'bob');
    say('random', 'r1', 'admin');
    const res = await api.app.inject({
      method: 'GET',
      url: '/api/unread',
      headers: { cookie: alice },
    });
    expect(res.json()).toEqual({
      asOf: api.t.clock.now,
      rooms: [
        { room: 'general', unread: 2 },
        { room: 'random', unread: 1 },
      ],
    });
    // Bob's counts are his own.
    expect(await unread(await signIn(api.app, 'bob@demo'))).toEqual({ general: 1, random: 1 });
  });

  it('marks a room read up to the newest message named, and never back', async () => {
    for (const id of ['g1', 'g2', 'g3']) say('general', id, 'bob');
    say('random', 'r1', 'bob');
    const first = await markRead('general', { upTo: ['g2', 'g1'] });
    expect(first.statusCode).toBe(204);
    expect(await unread()).toEqual({ general: 1, random: 1 });

    expect((await markRead('general', { upTo: ['g1'] })).statusCode).toBe(204);
    expect(await unread()).toEqual({ general: 1, random: 1 });

    expect((await markRead('general', { upTo: ['g3'] })).statusCode).toBe(204);
    say('general', 'g4', 'bob');
    expect(await unread()).toEqual({ general: 1, random: 1 });
  });

  it('keeps what was read across sign-ins: the same on a new session', async () => {
    say('general', 'g1', 'bob');
    await markRead('general', { upTo: ['g1'] });
    say('general', 'g2', 'bob');
    const again = await signIn(api.app, 'alice@demo');
    expect(await unread(again)).toEqual({ general: 1, random: 0 });
  });

  it('refuses a message the room does not have (404), never moving the position', async () => {
    say('general', 'g1', 'bob');
    say('random', 'r1', 'bob');
    expectError(await markRead('general', { upTo: ['nope'] }), 404, 'message_not_found');
    expectError(await markRead('general', { upTo: ['r1'] }), 404, 'message_not_found');
    expectError(await markRead('nowhere', { upTo: ['g1'] }), 404, 'room_not_found');
    expect(await unread()).toEqual({ general: 1, random: 1 });
  });

  it.each([
    ['no body', undefined],
    ['no ids', { upTo: [] }],
    ['a string', { upTo: 'g1' }],
    ['an empty id', { upTo: [''] }],
    ['an id too long', { upTo: ['x'.repeat(65)] }],
    ['too many ids', { upTo: Array.from({ length: 11 }, (_, i) => `g${i}`) }],
  ])('refuses (400) %s', async (_name, body) => {
    say('general', 'g1', 'bob');
    expectError(await markRead('general', body), 400, 'invalid_body');
  });

  it('refuses an invalid room id', async () => {
    expectError(await markRead('Not_A_Room!', { upTo: ['g1'] }), 400, 'invalid_room_id');
  });

  it('neither counts nor marks a room the caller may not read (403), as the broker would', async () => {
    say('general', 'g1', 'bob');
    say('random', 'r1', 'bob');
    api.t.storage.users.setExtraRules('demo', 'alice', [
      { permission: 'deny', action: 'all', topic: 'chat/general/#' },
    ]);
    expect(await unread()).toEqual({ random: 1 });
    expectError(await markRead('general', { upTo: ['g1'] }), 403, 'forbidden');
    // An agent has no chat rights: not even whether a room exists.
    const agent = storedSession(api, 'demo', 'agent-01');
    expect(await unread(agent)).toEqual({});
    expectError(await markRead('nowhere', { upTo: ['g1'] }, agent), 403, 'forbidden');
  });

  it('keeps orgs apart', async () => {
    say('general', 'g1', 'bob');
    say('general', 'a1', 'someone', 'acme');
    const mallory = await signIn(api.app, 'mallory@acme');
    expect(await unread(mallory)).toEqual({ general: 1 });
    // Demo's message is no message of acme's general.
    expectError(await markRead('general', { upTo: ['g1'] }, mallory), 404, 'message_not_found');
    expect((await markRead('general', { upTo: ['a1'] }, mallory)).statusCode).toBe(204);
    expect(await unread(mallory)).toEqual({ general: 0 });
    expect(await unread()).toEqual({ general: 1, random: 0 });
  });

  it('starts a user deleted and created again under the same id afresh', async () => {
    const admin = await signIn(api.app, 'admin@demo');
    say('general', 'g1', 'bob');
    say('general', 'g2', 'bob');
    await markRead('general', { upTo: ['g1'] });
    expect(await unread()).toEqual({ general: 1, random: 0 });

    const res = await api.app.inject({
      method: 'DELETE',
      url: '/api/admin/users/alice',
      headers: { cookie: admin },
    });
    expect(res.statusCode).toBeLessThan(300);
    say('general', 'g3', 'bob'); // while there was no alice
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { cookie: admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ user: 'alice', role: 'member', password: PASSWORD }),
    });
    expect(created.statusCode).toBe(201);
    const newAlice = await signIn(api.app, 'alice@demo');
    // Not the old position (g2 would be unread), nor anything from before she existed.
    expect(await unread(newAlice)).toEqual({ general: 0, random: 0 });
    say('general', 'g4', 'bob');
    expect(await unread(newAlice)).toEqual({ general: 1, random: 0 });
  });

  it('needs a session, and a write from an allowed origin in JSON', async () => {
    say('general', 'g1', 'bob');
    const get = await api.app.inject({ method: 'GET', url: '/api/unread' });
    expectError(get, 401, 'not_signed_in');
    expectError(await markRead('general', { upTo: ['g1'] }, ''), 401, 'not_signed_in');
    const foreign = await api.app.inject({
      method: 'PUT',
      url: '/api/rooms/general/read',
      headers: {
        cookie: alice,
        'content-type': 'application/json',
        host: 'switchboard.example.com',
        origin: 'https://evil.example.com',
      },
      payload: JSON.stringify({ upTo: ['g1'] }),
    });
    expectError(foreign, 403, 'origin_not_allowed');
    const form = await api.app.inject({
      method: 'PUT',
      url: '/api/rooms/general/read',
      headers: { cookie: alice, 'content-type': 'text/plain' },
      payload: JSON.stringify({ upTo: ['g1'] }),
    });
    expectError(form, 415, 'unsupported_media_type');
    expect(await unread()).toEqual({ general: 1, random: 0 });
  });
});
