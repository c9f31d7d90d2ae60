import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MARK_READ_IDS, type InboxPage } from '../../../src/shared/notifications-api';
import { expectError, PASSWORD, signIn, startTestApi, type TestApi } from './test-api';

// Which notifications were read is kept on the server: the same inbox and unread count on
// every device. Only ever the caller's own notifications are listed, counted or marked.

const note = (id: string) => ({ id, title: `Title ${id}`, body: '', createdAt: 1_000 });

describe('read state of GET /api/notifications and POST /api/notifications/read', () => {
  let api: TestApi;
  let alice: string;
  beforeEach(async () => {
    api = await startTestApi();
    alice = await signIn(api.app, 'alice@demo');
    api.t.clock.now += 1; // received after the users were created
  });
  afterEach(() => api.close());

  const notify = (user: string, id: string, org = 'demo') =>
    api.t.storage.notifications.record(org, user, note(id));
  const inbox = async (cookie = alice, query = '') => {
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/notifications${query}`,
      headers: { cookie },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as InboxPage;
  };
  /** Each listed id with whether it is read, and the unread count. */
  const readState = async (cookie = alice) => {
    const page = await inbox(cookie);
    return {
      listed: page.notifications.map(({ id, read }) => `${id}${read ? ' (read)' : ''}`),
      unread: page.unread,
    };
  };
  const markRead = (body: unknown, cookie = alice, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'POST',
      url: '/api/notifications/read',
      headers: { cookie, 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** Marks made as `account` (alice@demo) signed in. */
  const as = (marks: Record<string, unknown>, account = 'alice@demo') => ({ account, ...marks });

  it('lists whose inbox it is, whether each was read, the unread count and where the newest is', async () => {
    notify('alice', 'n1');
    notify('alice', 'n2');
    const page = await inbox();
    expect(page).toEqual({
      account: 'alice@demo',
      notifications: [
        { ...note('n2'), read: false },
        { ...note('n1'), read: false },
      ],
      nextCursor: null,
      unread: 2,
      newestCursor: expect.stringMatching(/^[1-9][0-9]*$/),
    });
    // The count is of them all, not of the page.
    const small = await inbox(alice, '?limit=1');
    expect(small).toMatchObject({ unread: 2, newestCursor: page.newestCursor });
  });

  it('marks notifications read by id, for every session of the person', async () => {
    for (const id of ['n1', 'n2', 'n3']) notify('alice', id);
    const res = await markRead(as({ ids: ['n1', 'n3'] }));
    expect(res.statusCode, res.body).toBe(204);
    // As another device sees it: a new sign-in.
    const phone = await signIn(api.app, 'alice@demo');
    expect(await readState(phone)).toEqual({ listed: ['n3 (read)', 'n2', 'n1 (read)'], unread: 1 });
  });

  it('marks all read up to newestCursor, and not one that arrived after it', async () => {
    notify('alice', 'n1');
    notify('alice', 'n2');
    const { newestCursor } = await inbox();
    notify('alice', 'late'); // while "Mark all read" was on its way
    expect((await markRead(as({ upTo: newestCursor }))).statusCode).toBe(204);
    expect(await readState()).toEqual({ listed: ['late', 'n2 (read)', 'n1 (read)'], unread: 1 });
    // Ids and a cursor in one request: a tab's live ones with what it was listed.
    notify('alice', 'n4');
    const { newestCursor: now } = await inbox();
    notify('alice', 'n5');
    expect((await markRead(as({ ids: ['n5'], upTo: now }))).statusCode).toBe(204);
    expect((await readState()).unread).toBe(0);
  });

  it('marks only the caller’s own: others’ ids, and another org’s, are passed over', async () => {
    notify('alice', 'mine');
    notify('bob', 'his');
    notify('mallory', 'theirs', 'acme');
    notify('alice', 'same-id', 'acme'); // no such user there: still not this alice's
    const bob = await signIn(api.app, 'bob@demo');
    const mallory = await signIn(api.app, 'mallory@acme');
    const { newestCursor } = await inbox(mallory);

    expect((await markRead(as({ ids: ['his', 'theirs', 'nope'] }))).statusCode).toBe(204);
    // A cursor marks up to a point of the caller's own notifications, whoever's seq it is.
    expect((await markRead(as({ upTo: newestCursor }))).statusCode).toBe(204);
    expect(await readState(bob)).toEqual({ listed: ['his'], unread: 1 });
    expect(await readState(mallory)).toEqual({ listed: ['theirs'], unread: 1 });
    expect(await readState()).toEqual({ listed: ['mine (read)'], unread: 0 });
  });

  it('starts a user deleted and created again under the id afresh', async () => {
    notify('alice', 'old');
    const admin = await signIn(api.app, 'admin@demo');
    const removed = await api.app.inject({
      method: 'DELETE',
      url: '/api/admin/users/alice',
      headers: { cookie: admin },
    });
    expect(removed.statusCode).toBeLessThan(300);
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { cookie: admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ user: 'alice', role: 'member', password: PASSWORD }),
    });
    expect(created.statusCode).toBe(201);
    const newAlice = await signIn(api.app, 'alice@demo');
    expect(await inbox(newAlice)).toEqual({
      account: 'alice@demo',
      notifications: [],
      nextCursor: null,
      unread: 0,
      newestCursor: null,
    });
  });

  it('marks only for the account the marks were made as: another’s session is refused (409), marking nothing', async () => {
    notify('bob', 'b1');
    notify('bob', 'b2');
    notify('alice', 'a1');
    const { newestCursor } = await inbox(); // alice's: past all of bob's
    // Bob signed in in another tab of alice's browser: the cookie is his now.
    const bob = await signIn(api.app, 'bob@demo');
    for (const marks of [{ ids: ['b1'] }, { upTo: newestCursor }, { ids: ['b2'], upTo: '1' }]) {
      expectError(await markRead(as(marks), bob), 409, 'session_changed');
    }
    expect(await readState(bob)).toEqual({ listed: ['b2', 'b1'], unread: 2 });
    // And his inbox says whose it is: a tab showing alice's leaves it be.
    expect((await inbox(bob)).account).toBe('bob@demo');
    // Alice's own, with her cookie, still go through.
    expect((await markRead(as({ upTo: newestCursor }))).statusCode).toBe(204);
    expect(await readState()).toEqual({ listed: ['a1 (read)'], unread: 0 });
  });

  it.each([
    ['no body', undefined, 'invalid_body'],
    ['an empty object', {}, 'invalid_body'],
    ['nothing to mark', as({}), 'invalid_body'],
    ['no account', { ids: ['n1'] }, 'invalid_body'],
    ['an account not a string', { account: 7, ids: ['n1'] }, 'invalid_body'],
    ['an empty account', as({ ids: ['n1'] }, ''), 'invalid_body'],
    ['null', null, 'invalid_body'],
    ['an array', [['n1']], 'invalid_body'],
    ['a misspelt field', as({ id: ['n1'] }), 'unknown_field'],
    ['an extra field', as({ ids: ['n1'], user: 'bob' }), 'unknown_field'],
    ['ids not a list', as({ ids: 'n1' }), 'invalid_body'],
    ['an empty list', as({ ids: [] }), 'invalid_body'],
    ['an id not a string', as({ ids: [1] }), 'invalid_body'],
    ['an empty id', as({ ids: [''] }), 'invalid_body'],
    ['an id too long', as({ ids: ['x'.repeat(65)] }), 'invalid_body'],
    [
      'too many ids',
      as({ ids: Array.from({ length: MAX_MARK_READ_IDS + 1 }, (_, i) => `n${i}`) }),
      'invalid_body',
    ],
    ['a number for upTo', as({ upTo: 5 }), 'invalid_body'],
    ['a negative upTo', as({ upTo: '-1' }), 'invalid_body'],
    ['a zero upTo', as({ upTo: '0' }), 'invalid_body'],
    ['upTo not digits', as({ upTo: '1 OR 1=1' }), 'invalid_body'],
    ['upTo too long', as({ upTo: '1'.repeat(17) }), 'invalid_body'],
    ['upTo past the safe integers', as({ upTo: '9999999999999999' }), 'invalid_cursor'],
    ['invalid JSON', '{"ids": [', 'invalid_json'],
    ['a __proto__ key', '{"ids": ["n1"], "__proto__": {"upTo": "1"}}', 'forbidden_key'],
  ])('refuses (400) %s, marking nothing', async (_name, body, code) => {
    notify('alice', 'n1');
    expectError(await markRead(body), 400, code);
    expect(await readState()).toEqual({ listed: ['n1'], unread: 1 });
  });

  it('refuses a body too large to be one (413)', async () => {
    notify('alice', 'n1');
    const huge = as({ ids: ['n1'], pad: 'x'.repeat(20_000) });
    expectError(await markRead(huge), 413, 'payload_too_large');
    expect((await readState()).unread).toBe(1);
  });

  it('needs a session, and a write from an allowed origin in JSON', async () => {
    notify('alice', 'n1');
    expectError(
      await api.app.inject({ method: 'GET', url: '/api/notifications' }),
      401,
      'not_signed_in',
    );
    expectError(await markRead(as({ ids: ['n1'] }), ''), 401, 'not_signed_in');
    expectError(await markRead(as({ ids: ['n1'] }), 'sb_session=forged'), 401, 'not_signed_in');
    const foreign = await markRead(as({ ids: ['n1'] }), alice, {
      host: 'switchboard.example.com',
      origin: 'https://evil.example.com',
    });
    expectError(foreign, 403, 'origin_not_allowed');
    const form = await markRead(as({ ids: ['n1'] }), alice, { 'content-type': 'text/plain' });
    expectError(form, 415, 'unsupported_media_type');
    expect((await readState()).unread).toBe(1);
  });
});
