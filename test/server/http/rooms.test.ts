import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ROOM_CREATES_PER_WINDOW } from '../../../src/server/http/rooms';
import { expectError, signIn, startTestApi, storedSession, type TestApi } from './test-api';

/** How many SQL statements (of any database in the process) run while `work` does. */
async function statementsRun(work: () => Promise<unknown>): Promise<number> {
  const scratch = new Database(':memory:');
  const statement = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as Record<
    'run' | 'get' | 'all' | 'iterate',
    (...args: unknown[]) => unknown
  >;
  scratch.close();
  const spies = (['run', 'get', 'all', 'iterate'] as const).map((method) =>
    vi.spyOn(statement, method),
  );
  try {
    await work();
    return spies.reduce((count, spy) => count + spy.mock.calls.length, 0);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe('/api/rooms and /api/people', () => {
  let api: TestApi;
  let alice: string;
  beforeEach(async () => {
    api = await startTestApi();
    alice = await signIn(api.app, 'alice@demo');
  });
  afterEach(() => api.close());

  const createRoom = (payload: string, cookie = alice, contentType = 'application/json') =>
    api.app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: { cookie, 'content-type': contentType },
      payload,
    });

  it('lists the rooms of the caller’s org only', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: '/api/rooms',
      headers: { cookie: alice },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      rooms: [
        { id: 'general', name: 'general' },
        { id: 'random', name: 'random' },
      ],
    });
    const mallory = await signIn(api.app, 'mallory@acme');
    const other = await api.app.inject({
      method: 'GET',
      url: '/api/rooms',
      headers: { cookie: mallory },
    });
    expect(other.json()).toEqual({ rooms: [{ id: 'general', name: 'general' }] });
  });

  it('lists only the rooms the caller’s ACL lets them read', async () => {
    api.t.storage.users.setExtraRules('demo', 'alice', [
      { permission: 'deny', action: 'subscribe', topic: 'chat/general/messages' },
    ]);
    const list = (cookie: string) =>
      api.app.inject({ method: 'GET', url: '/api/rooms', headers: { cookie } });
    expect((await list(alice)).json()).toEqual({ rooms: [{ id: 'random', name: 'random' }] });
    const agent = storedSession(api, 'demo', 'agent-01');
    expect((await list(agent)).json()).toEqual({ rooms: [] });
  });

  it('creates a room (201) that then appears in the list', async () => {
    const res = await createRoom(JSON.stringify({ id: 'design' }));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: 'design', name: 'design' });
    const list = await api.app.inject({
      method: 'GET',
      url: '/api/rooms',
      headers: { cookie: alice },
    });
    expect((list.json() as { rooms: { id: string }[] }).rooms.map((r) => r.id)).toContain('design');
    // Same id in another org is another room.
    const mallory = await signIn(api.app, 'mallory@acme');
    expect((await createRoom(JSON.stringify({ id: 'design' }), mallory)).statusCode).toBe(201);
  });

  /** The org's audit log, oldest first, without ids and times. */
  const audited = (org: string) =>
    api.t.storage.audit
      .page(org, { limit: 100 })
      .entries.reverse()
      .map(({ actor, action, target, detail }) => ({ actor, action, target, detail }));

  it('records each room created in its org’s audit log, by who created it', async () => {
    await createRoom(JSON.stringify({ id: 'design', name: '  Design reviews ' }));
    const admin = await signIn(api.app, 'admin@demo');
    await createRoom(JSON.stringify({ id: 'ops' }), admin);
    const mallory = await signIn(api.app, 'mallory@acme');
    await createRoom(JSON.stringify({ id: 'design' }), mallory);
    expect(audited('demo')).toEqual([
      {
        actor: 'alice',
        action: 'room.create',
        target: 'design',
        detail: { name: 'Design reviews' },
      },
      { actor: 'admin', action: 'room.create', target: 'ops', detail: { name: 'ops' } },
    ]);
    expect(audited('acme')).toEqual([
      { actor: 'mallory', action: 'room.create', target: 'design', detail: { name: 'design' } },
    ]);
  });

  it('records nothing for a room it refuses, and creates none whose entry cannot be written', async () => {
    await createRoom(JSON.stringify({ id: 'general' })); // 409
    await createRoom(JSON.stringify({ id: 'Bad' })); // 400
    await createRoom(JSON.stringify({ id: 'blank', name: ' ' })); // 400 invalid_room_name
    expect(audited('demo')).toEqual([]);
    vi.spyOn(api.t.storage.audit, 'record').mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    expect((await createRoom(JSON.stringify({ id: 'design' }))).statusCode).toBe(500);
    expect(api.t.storage.rooms.has('demo', 'design')).toBe(false);
  });

  it('refuses an existing room with 409', async () => {
    expectError(await createRoom(JSON.stringify({ id: 'general' })), 409, 'room_exists');
  });

  it('refuses a room the caller’s ACL keeps them from reading, existing or not', async () => {
    api.t.storage.users.setExtraRules('demo', 'alice', [
      { permission: 'deny', action: 'subscribe', topic: 'chat/general/#' },
      { permission: 'deny', action: 'subscribe', topic: 'chat/secret/#' },
    ]);
    // The same answer whether the room exists (general) or not (secret): nothing to learn.
    for (const id of ['general', 'secret']) {
      expectError(await createRoom(JSON.stringify({ id })), 403, 'forbidden');
    }
    expect(api.t.storage.rooms.has('demo', 'secret')).toBe(false);
  });

  const badIds = ['General', 'a/b', '#', '+', '', 'x'.repeat(65), '__proto__', 'prototype', 'a@b'];
  it.each(badIds)('refuses room id %j', async (id) => {
    expectError(await createRoom(JSON.stringify({ id })), 400, 'invalid_room_id');
  });

  it.each([
    ['no id', '{}'],
    ['a number id', '{"id": 7}'],
  ])('refuses a body with %s', async (_name, payload) => {
    expectError(await createRoom(payload), 400, 'invalid_body');
  });

  it('refuses bad JSON and non-JSON bodies', async () => {
    expectError(await createRoom('{"id":'), 400, 'invalid_json');
    expectError(
      await createRoom('id=x', alice, 'application/x-www-form-urlencoded'),
      415,
      'unsupported_media_type',
    );
  });

  it('lets only people (members, admins) create rooms', async () => {
    const agent = storedSession(api, 'demo', 'agent-01');
    expectError(
      await createRoom(JSON.stringify({ id: 'botroom' }), agent),
      403,
      'role_cannot_create_rooms',
    );
    const admin = await signIn(api.app, 'admin@demo');
    expect((await createRoom(JSON.stringify({ id: 'admins' }), admin)).statusCode).toBe(201);
  });

  it('lets one person create only so many rooms a minute, whichever session asks', async () => {
    const phone = await signIn(api.app, 'alice@demo');
    for (let i = 0; i < ROOM_CREATES_PER_WINDOW; i++) {
      const cookie = i % 2 === 0 ? alice : phone;
      expect((await createRoom(JSON.stringify({ id: `room-${i}` }), cookie)).statusCode).toBe(201);
    }
    for (const cookie of [alice, phone]) {
      const refused = await createRoom(JSON.stringify({ id: 'one-more' }), cookie);
      expectError(refused, 429, 'rate_limited');
      expect(refused.json()).toMatchObject({ error: { message: /too many rooms created/ } });
      expect(refused.headers['retry-after']).toBeDefined();
    }
    expect(api.t.storage.rooms.has('demo', 'one-more')).toBe(false);
    // Another person of the org is not held back by alice's rooms.
    const bob = await signIn(api.app, 'bob@demo');
    expect((await createRoom(JSON.stringify({ id: 'one-more' }), bob)).statusCode).toBe(201);
  });

  it('counts only rooms created toward that limit, not refused attempts', async () => {
    for (let i = 0; i < ROOM_CREATES_PER_WINDOW + 5; i++) {
      // An id taken, again and again: nothing created, nothing counted (QA).
      expectError(await createRoom(JSON.stringify({ id: 'general' })), 409, 'room_exists');
    }
    for (let i = 0; i < ROOM_CREATES_PER_WINDOW; i++) {
      expect((await createRoom(JSON.stringify({ id: `made-${i}` }))).statusCode).toBe(201);
    }
    expectError(await createRoom(JSON.stringify({ id: 'made-more' })), 429, 'rate_limited');
  });

  it('refuses without a session', async () => {
    expectError(await api.app.inject({ method: 'GET', url: '/api/rooms' }), 401, 'not_signed_in');
    expectError(await createRoom(JSON.stringify({ id: 'x' }), ''), 401, 'not_signed_in');
    expectError(await api.app.inject({ method: 'GET', url: '/api/people' }), 401, 'not_signed_in');
  });

  it('lists the people of the caller’s org: members and admins, not disabled', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: '/api/people',
      headers: { cookie: alice },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      people: [
        { user: 'admin', role: 'admin' },
        { user: 'alice', role: 'member' },
        { user: 'bob', role: 'member' },
      ],
    });
  });

  describe('GET /api/rooms/:room/people', () => {
    const get = (url: string, cookie = alice) =>
      api.app.inject({ method: 'GET', url, headers: { cookie } });

    it('lists the people who may read the room, by the same ACL as its history', async () => {
      api.t.storage.users.setExtraRules('demo', 'bob', [
        { permission: 'deny', action: 'all', topic: 'chat/general/#' },
      ]);
      const res = await get('/api/rooms/general/people');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        people: [
          { user: 'admin', role: 'admin' },
          { user: 'alice', role: 'member' },
        ],
      });
      expect((await get('/api/rooms/random/people')).json()).toEqual({
        people: [
          { user: 'admin', role: 'admin' },
          { user: 'alice', role: 'member' },
          { user: 'bob', role: 'member' },
        ],
      });
    });

    it('reads the rules of an org of hundreds in as many queries as of three people', async () => {
      const few = await statementsRun(() => get('/api/rooms/general/people'));
      // 300 more members, every third kept from general by a rule of their own.
      const added = Array.from({ length: 300 }, (_, i) => `person-${String(i).padStart(3, '0')}`);
      for (const [i, user] of added.entries()) {
        api.t.storage.users.addUser({ org: 'demo', user, role: 'member', passwordHash: 'x' });
        if (i % 3 === 0) {
          api.t.storage.users.setExtraRules('demo', user, [
            { permission: 'deny', action: 'all', topic: 'chat/general/#' },
          ]);
        }
      }
      let res: Awaited<ReturnType<typeof get>> | undefined;
      const many = await statementsRun(async () => {
        res = await get('/api/rooms/general/people');
      });
      expect(many).toBe(few);
      expect(res?.statusCode).toBe(200);
      const people = (res?.json() as { people: { user: string; role: string }[] }).people;
      expect(people).toEqual(
        ['admin', 'alice', 'bob', ...added.filter((_, i) => i % 3 !== 0)].map((user) => ({
          user,
          role: user === 'admin' ? 'admin' : 'member',
        })),
      );
    });

    it('refuses a room the caller may not read (403), then one that is not there (404)', async () => {
      api.t.storage.users.setExtraRules('demo', 'alice', [
        { permission: 'deny', action: 'all', topic: 'chat/general/#' },
      ]);
      expectError(await get('/api/rooms/general/people'), 403, 'forbidden');
      expectError(await get('/api/rooms/nowhere/people'), 404, 'room_not_found');
      expectError(await get('/api/rooms/%2B/people'), 400, 'invalid_room_id');
      expectError(await get('/api/rooms/general/people', ''), 401, 'not_signed_in');
    });

    it('answers only for the caller’s org', async () => {
      const mallory = await signIn(api.app, 'mallory@acme');
      expect((await get('/api/rooms/general/people', mallory)).json()).toEqual({
        people: [{ user: 'mallory', role: 'admin' }],
      });
      expectError(await get('/api/rooms/random/people', mallory), 404, 'room_not_found');
    });
  });
});

describe('POST /api/rooms in an org with MAX_ROOMS_PER_ORG rooms', () => {
  // demo has general and random; acme has general.
  const MAX_ROOMS = 3;
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi({ config: { maxRoomsPerOrg: MAX_ROOMS } });
  });
  afterEach(() => api.close());

  const createRoom = (id: string, cookie: string) =>
    api.app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ id }),
    });

  it('refuses one more room (409 room_limit_reached), writing nothing; other orgs may go on', async () => {
    const alice = await signIn(api.app, 'alice@demo');
    const admin = await signIn(api.app, 'admin@demo');
    expect((await createRoom('design', alice)).statusCode).toBe(201);
    expect(api.t.storage.rooms.count('demo')).toBe(MAX_ROOMS);
    for (const cookie of [alice, admin]) {
      expectError(await createRoom('ops', cookie), 409, 'room_limit_reached');
    }
    expect(api.t.storage.rooms.has('demo', 'ops')).toBe(false);
    expect(api.t.storage.audit.page('demo', { limit: 100 }).entries).toHaveLength(1);
    // A room that is there is still said to be there: it can be opened from the list.
    expectError(await createRoom('general', alice), 409, 'room_exists');

    const mallory = await signIn(api.app, 'mallory@acme');
    expect((await createRoom('ops', mallory)).statusCode).toBe(201);
  });
});
