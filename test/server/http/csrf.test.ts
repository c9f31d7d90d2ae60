import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, signIn, signInRequest, startTestApi, type TestApi } from './test-api';

// The cookie is SameSite=Strict, which stops other sites but not other origins of the same
// site: a sibling subdomain, another port of the host. Those pages can still send a form
// or a no-cors fetch with the cookie (csrf-guard.ts).

const HOST = 'switchboard.example.com';

describe('state-changing requests from other pages', () => {
  let api: TestApi;
  let admin: string;
  let alice: string;
  let rooms = 0;
  beforeAll(async () => {
    api = await startTestApi();
    admin = await signIn(api.app, 'admin@demo');
    alice = await signIn(api.app, 'alice@demo');
  });
  afterAll(() => api.close());

  const resetBobsPassword = (url: string, headers: Record<string, string>) =>
    api.app.inject({ method: 'POST', url, headers: { cookie: admin, ...headers }, payload: 'x' });
  const bobStillSignsIn = async () =>
    expect((await api.app.inject(signInRequest('bob@demo'))).statusCode).toBe(200);
  const createRoom = (headers: Record<string, string>, app = api.app, cookie = alice) =>
    app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: { cookie, 'content-type': 'application/json', host: HOST, ...headers },
      payload: JSON.stringify({ id: `room-${++rooms}` }),
    });

  it('wants JSON on an /api/ route reached through a percent-encoded path too', async () => {
    // The router decodes the path: these reach POST /api/admin/users/:user/password, which
    // reads no body, so a text/plain form post would otherwise reset bob's password.
    for (const url of ['/%61pi/admin/users/bob/password', '/%61%70%69/admin/users/bob/password']) {
      expectError(
        await resetBobsPassword(url, { 'content-type': 'text/plain' }),
        415,
        'unsupported_media_type',
      );
    }
    await bobStillSignsIn();
  });

  it.each([
    ['another site', HOST, 'https://evil.example.net'],
    ['a sibling subdomain', HOST, 'https://evil.example.com'],
    ['another port of the host', HOST, `http://${HOST}:8080`],
    // npm start's default: any other local server (a dev tool, a page it serves) is the
    // same site, and the browser sends the cookie to it.
    ['another port of localhost', 'localhost:8080', 'http://localhost:5173'],
    ['another port of 127.0.0.1', '127.0.0.1:8080', 'http://127.0.0.1:3000'],
    ['an opaque origin', HOST, 'null'],
  ])('refuses a request from a page of %s', async (_name, host, origin) => {
    const res = await resetBobsPassword('/api/admin/users/bob/password', {
      'content-type': 'application/json',
      host,
      origin,
    });
    expectError(res, 403, 'origin_not_allowed');
    await bobStillSignsIn();
  });

  it('lets its own pages and clients without an Origin through', async () => {
    expect((await createRoom({ origin: `http://${HOST}` })).statusCode).toBe(201);
    const local = { host: 'localhost:8080', origin: 'http://localhost:8080' };
    expect((await createRoom(local)).statusCode).toBe(201);
    expect((await createRoom({})).statusCode).toBe(201);
  });

  it('still answers reads from other origins (CORS keeps their answers from the page)', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: alice, host: HOST, origin: 'https://evil.example.com' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('with ALLOWED_ORIGINS, lets only those through', async () => {
    const configured = await startTestApi({
      config: { allowedOrigins: ['https://chat.example.com'] },
    });
    try {
      const cookie = await signIn(configured.app, 'alice@demo');
      const from = (origin: string) => createRoom({ origin }, configured.app, cookie);
      expect((await from('https://chat.example.com')).statusCode).toBe(201);
      expectError(await from('http://localhost:5173'), 403, 'origin_not_allowed');
      expectError(await from(`https://${HOST}`), 403, 'origin_not_allowed');
    } finally {
      await configured.close();
    }
  });
});
