import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, json } from '../support/mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/test-server';

// Notifications are kept per person, so the inbox is complete on any device, including
// one that never connected before the notification was sent.

// A believable time: the broker refuses one ahead of its clock or older than it keeps them.
const CREATED_AT = Date.now() - 60_000;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.cleanup());

async function signIn(username: string): Promise<string> {
  const res = await server.http.inject({
    method: 'POST',
    url: '/api/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'sb_session');
  return `sb_session=${cookie?.value}`;
}

const inbox = (cookie: string, query = '') =>
  server.http.inject({ method: 'GET', url: `/api/notifications${query}`, headers: { cookie } });

async function notify(user: string, id: string, extra: Record<string, unknown> = {}) {
  const notifier = await connect(server.mqttUrl, {
    username: 'notifier@demo',
    password: DEMO_PASSWORD,
    clientId: `n-${id}`,
  });
  await notifier.publishAsync(
    `notifications/${user}`,
    json({ id, title: `Title ${id}`, body: `Body ${id}`, createdAt: CREATED_AT, ...extra }),
    { qos: 1 },
  );
  await notifier.endAsync();
}

describe('GET /api/notifications', () => {
  it("lists the caller's own notifications, newest first, even ones sent before any connection", async () => {
    await notify('bob', 'n1');
    await notify('bob', 'n2', { link: 'https://example.com/build/2' });
    await notify('bob', 'n2'); // a redelivery is not a second notification
    await notify('alice', 'a1');
    const res = await inbox(await signIn('bob@demo'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      account: 'bob@demo',
      notifications: [
        {
          id: 'n2',
          title: 'Title n2',
          body: 'Body n2',
          link: 'https://example.com/build/2',
          createdAt: CREATED_AT,
          read: false,
        },
        { id: 'n1', title: 'Title n1', body: 'Body n1', createdAt: CREATED_AT, read: false },
      ],
      nextCursor: null,
      unread: 2,
      newestCursor: expect.stringMatching(/^[1-9][0-9]*$/),
    });
  });

  it('keeps what was read on one device for every other, and what arrives after "all read" unread', async () => {
    await notify('alice', 'r1');
    await notify('alice', 'r2');
    const laptop = await signIn('alice@demo');
    const phone = await signIn('alice@demo');
    const markRead = (marks: { ids?: string[]; upTo?: string }) =>
      server.http.inject({
        method: 'POST',
        url: '/api/notifications/read',
        headers: { cookie: laptop, 'content-type': 'application/json' },
        payload: JSON.stringify({ account: 'alice@demo', ...marks }),
      });
    const readState = async (cookie: string) => {
      const page = (await inbox(cookie)).json() as {
        notifications: { id: string; read: boolean }[];
        unread: number;
        newestCursor: string;
      };
      return {
        listed: page.notifications.map(({ id, read }) => (read ? `${id} (read)` : id)),
        unread: page.unread,
        newestCursor: page.newestCursor,
      };
    };

    expect((await markRead({ ids: ['r1'] })).statusCode).toBe(204);
    const seen = await readState(phone);
    // (Other tests' notifications to alice come after these.)
    expect(seen.listed.slice(0, 2)).toEqual(['r2', 'r1 (read)']);
    await notify('alice', 'r3'); // reaches the server after the phone listed its inbox
    expect((await markRead({ upTo: seen.newestCursor })).statusCode).toBe(204);
    const after = await readState(phone);
    expect(after.listed.slice(0, 3)).toEqual(['r3', 'r2 (read)', 'r1 (read)']);
    expect(after.listed.slice(3).every((entry) => entry.endsWith('(read)'))).toBe(true);
    expect(after.unread).toBe(1);
  });

  it('pages backwards with nextCursor', async () => {
    for (let i = 0; i < 5; i++) await notify('admin', `p${i}`);
    const cookie = await signIn('admin@demo');
    const first = (await inbox(cookie, '?limit=2')).json() as {
      notifications: { id: string }[];
      nextCursor: string;
    };
    expect(first.notifications.map((n) => n.id)).toEqual(['p4', 'p3']);
    const second = (await inbox(cookie, `?limit=2&before=${first.nextCursor}`)).json() as {
      notifications: { id: string }[];
    };
    expect(second.notifications.map((n) => n.id)).toEqual(['p2', 'p1']);
  });

  it.each([
    ['?limit=0', 'invalid_limit'],
    ['?limit=abc', 'invalid_limit'],
    ['?before=x1', 'invalid_cursor'],
  ])('%s → 400 %s', async (query, code) => {
    const res = await inbox(await signIn('bob@demo'), query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code } });
  });

  it('needs a session', async () => {
    const res = await inbox('');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'not_signed_in' } });
  });
});
