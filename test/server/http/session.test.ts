import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTH_CHECKS_IN_PARALLEL } from '../../../src/server/auth/auth-throttle';
import { SIGN_IN_FAILURES_PER_ADDRESS } from '../../../src/server/http/session';
import {
  expectError,
  PASSWORD,
  signIn,
  signInRequest,
  startTestApi,
  type TestApi,
} from './test-api';

describe('/api/session', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.close());

  it('signs in, sets a strict HttpOnly cookie, and says who is signed in', async () => {
    const res = await api.app.inject(signInRequest('alice@demo'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ user: 'alice', org: 'demo', role: 'member' });
    expect(res.headers['cache-control']).toBe('no-store');
    const cookie = res.cookies.find((c) => c.name === 'sb_session');
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: api.config.sessionTtlSeconds,
    });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await api.app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: `sb_session=${cookie?.value ?? ''}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ user: 'alice', org: 'demo', role: 'member' });
  });

  it('accepts a JSON content type with a charset', async () => {
    const req = signInRequest('bob@demo');
    const res = await api.app.inject({
      ...req,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses an unknown user, a wrong password and an unknown org alike', async () => {
    const answers = await Promise.all(
      [
        signInRequest('alice@demo', 'wrong-password'),
        signInRequest('nobody@demo'),
        signInRequest('alice@nowhere'),
        signInRequest('mallory@demo'), // exists, but in another org
      ].map((req) => api.app.inject(req)),
    );
    for (const res of answers) {
      expectError(res, 401, 'invalid_credentials');
      expect(res.cookies).toEqual([]);
    }
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
  });

  it('refuses a disabled user (with the right password)', async () => {
    expectError(await api.app.inject(signInRequest('carol@demo')), 403, 'account_disabled');
  });

  it.each(['agent-01@demo', 'notifier@demo'])(
    'refuses %s, an account that cannot use the app, with a reason and no cookie',
    async (username) => {
      const res = await api.app.inject(signInRequest(username));
      expectError(res, 403, 'not_an_app_account');
      expect(res.json<{ error: { message: string } }>().error.message).toBe(
        'agent and service accounts connect over MQTT with their password; they cannot use the web app',
      );
      expect(res.cookies).toEqual([]);
    },
  );

  it('says nothing of the account’s role to a wrong password', async () => {
    const res = await api.app.inject(signInRequest('agent-01@demo', 'wrong-password'));
    expectError(res, 401, 'invalid_credentials');
  });

  const malformed = [
    'alice',
    'alice@',
    '@demo',
    'Alice@demo',
    'a@b@demo',
    'alice@de mo',
    '__proto__@demo',
    'constructor@demo',
    '',
  ];
  it.each(malformed)('refuses malformed username %j with invalid_username', async (username) => {
    expectError(await api.app.inject(signInRequest(username)), 400, 'invalid_username');
  });

  const badBodies: [string, string][] = [
    ['missing password', JSON.stringify({ username: 'alice@demo' })],
    ['number username', JSON.stringify({ username: 42, password: PASSWORD })],
    ['empty password', JSON.stringify({ username: 'alice@demo', password: '' })],
    ['array body', JSON.stringify([PASSWORD])],
    ['no body', ''],
    ['huge password', JSON.stringify({ username: 'alice@demo', password: 'x'.repeat(2_000) })],
  ];
  it.each(badBodies)('refuses a body with %s', async (_name, payload) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expectError(res, 400, 'invalid_body');
  });

  const badJson = ['{', '{"username": "alice@demo",}', 'nul'];
  it.each(badJson)('refuses bad JSON %j', async (payload) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expectError(res, 400, 'invalid_json');
  });

  // Prototype poisoning: valid JSON, refused for the key, and said so.
  const poisoned: [string, string][] = [
    ['{"username": "alice@demo", "__proto__": {"x": 1}}', '"__proto__"'],
    ['{"constructor": {"prototype": {}}}', '"constructor.prototype"'],
  ];
  it.each(poisoned)('refuses %j for its key %s', async (payload, key) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'forbidden_key', message: expect.stringContaining(key) },
    });
  });

  const notJson: [string, Record<string, string>][] = [
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['no content type', {}],
  ];
  it.each(notJson)('refuses %s with 415 (CSRF defence)', async (_name, headers) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/session',
      headers,
      payload: `username=alice%40demo&password=${PASSWORD}`,
    });
    expectError(res, 415, 'unsupported_media_type');
  });

  it('refuses a body above the size limit', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        username: 'alice@demo',
        password: PASSWORD,
        pad: 'x'.repeat(20_000),
      }),
    });
    expectError(res, 413, 'payload_too_large');
  });

  it('rate limits sign-in per IP and username after 10 attempts a minute', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await api.app.inject(signInRequest('alice@demo', 'wrong-password'));
      expect(res.statusCode).toBe(401);
    }
    // The right password does not get through either once the limit is hit.
    const limited = await api.app.inject(signInRequest('alice@demo'));
    expectError(limited, 429, 'rate_limited');
    expect(limited.headers['retry-after']).toBeDefined();
    // Another account from the same IP is not locked out by alice's attacker.
    expect((await api.app.inject(signInRequest('bob@demo'))).statusCode).toBe(200);
    // Neither is alice from another IP.
    const other = await api.app.inject({
      ...signInRequest('alice@demo'),
      remoteAddress: '10.0.0.9',
    });
    expect(other.statusCode).toBe(200);
  });

  it('stops one address spraying a password over many accounts, even in parallel', async () => {
    const spray = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.app.inject(signInRequest(`user-${i}@demo`, 'Summer2026!')),
      ),
    );
    const checked = spray.filter((res) => res.statusCode === 401).length;
    // A few more were being checked when the 30th failure was known.
    expect(checked).toBeGreaterThanOrEqual(SIGN_IN_FAILURES_PER_ADDRESS);
    expect(checked).toBeLessThanOrEqual(SIGN_IN_FAILURES_PER_ADDRESS + AUTH_CHECKS_IN_PARALLEL - 1);
    for (const res of spray.filter((r) => r.statusCode !== 401))
      expectError(res, 429, 'rate_limited');
    // Even the right password waits out the minute from there; other addresses do not.
    expectError(await api.app.inject(signInRequest('bob@demo')), 429, 'rate_limited');
    const other = await api.app.inject({ ...signInRequest('bob@demo'), remoteAddress: '10.0.0.9' });
    expect(other.statusCode).toBe(200);
  });

  it('does not count successful sign-ins from one address (an office)', async () => {
    // Five accounts, seven sign-ins each: under the per-account limit, over the failures'
    // (agents and services are refused, with their right password: not_an_app_account).
    const people: [string, number][] = [
      ['admin', 200],
      ['alice', 200],
      ['bob', 200],
      ['agent-01', 403],
      ['notifier', 403],
    ];
    for (let i = 0; i < SIGN_IN_FAILURES_PER_ADDRESS + 5; i++) {
      const [user, status] = people[i % people.length]!;
      expect((await api.app.inject(signInRequest(`${user}@demo`))).statusCode).toBe(status);
    }
  });

  it('answers 401 not_signed_in without a cookie, or with a bad one', async () => {
    expectError(await api.app.inject({ method: 'GET', url: '/api/session' }), 401, 'not_signed_in');
    const bad = await api.app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: 'sb_session=forged' },
    });
    expectError(bad, 401, 'not_signed_in');
    // The stale cookie is cleared.
    expect(bad.cookies.find((c) => c.name === 'sb_session')?.value).toBe('');
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const cookie = await signIn(api.app, 'alice@demo');
    const out = await api.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie },
    });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    const cleared = out.cookies.find((c) => c.name === 'sb_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime() ?? cleared?.maxAge).toBeLessThanOrEqual(Date.now());
    const me = await api.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
    expectError(me, 401, 'not_signed_in');
  });

  it('signs out without a session too', async () => {
    expect((await api.app.inject({ method: 'DELETE', url: '/api/session' })).statusCode).toBe(204);
  });

  it('ends a session at once when its user is disabled or removed', async () => {
    const alice = await signIn(api.app, 'alice@demo');
    const bob = await signIn(api.app, 'bob@demo');
    api.t.storage.users.setDisabled('demo', 'alice', true);
    api.t.storage.users.removeUser('demo', 'bob');
    for (const cookie of [alice, bob]) {
      const res = await api.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      expectError(res, 401, 'not_signed_in');
    }
  });

  it('ends a session when it expires', async () => {
    const cookie = await signIn(api.app, 'alice@demo');
    api.t.clock.now += api.config.sessionTtlSeconds * 1_000;
    const res = await api.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
    expectError(res, 401, 'not_signed_in');
  });

  it('replaces the previous session on a new sign-in', async () => {
    const first = await signIn(api.app, 'alice@demo');
    const res = await api.app.inject({
      ...signInRequest('alice@demo'),
      headers: { 'content-type': 'application/json', cookie: first },
    });
    expect(res.statusCode).toBe(200);
    const me = await api.app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: first },
    });
    expectError(me, 401, 'not_signed_in');
  });
});

// A sign-in of the same user over the browser's earlier one takes that one's live tokens
// over (session.ts: takeOver); sign-out.test.ts shows what that means for connections.
describe('a sign-in over the same user’s earlier one', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.close());

  const mint = async (cookie: string) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/token',
      headers: { cookie, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode, res.body).toBe(200);
    return (await api.tokens.verify(res.json<{ password: string }>().password)).jti;
  };
  const signInOver = async (cookie: string, username: string) => {
    const res = await api.app.inject({
      ...signInRequest(username),
      headers: { 'content-type': 'application/json', cookie },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.cookies.find((c) => c.name === 'sb_session')?.value ?? '';
  };
  const tokenOf = (jti: string) => api.t.storage.issuedTokens.get('demo', jti);

  it('keeps its tokens live, as the new sign-in’s, and ends its session', async () => {
    const first = await signIn(api.app, 'alice@demo');
    const jti = await mint(first);
    const next = await signInOver(first, 'alice@demo');
    expect(tokenOf(jti)).toMatchObject({
      revokedAt: null,
      sessionKey: api.t.storage.sessions.keyOf(next),
    });
    expect(api.t.storage.sessions.get(first.slice('sb_session='.length))).toBeUndefined();
    // Signing out of the new one ends them.
    await api.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie: `sb_session=${next}` },
    });
    expect(tokenOf(jti)?.revokedAt).not.toBeNull();
  });

  it('takes over the live tokens of an earlier sign-in that has expired', async () => {
    const first = await signIn(api.app, 'alice@demo');
    const jti = await mint(first);
    api.t.clock.now += api.config.sessionTtlSeconds * 1_000; // the session, not its token
    const next = await signInOver(first, 'alice@demo');
    expect(tokenOf(jti)).toMatchObject({
      revokedAt: null,
      sessionKey: api.t.storage.sessions.keyOf(next),
    });
  });

  it('still ends another user’s, and leaves the tokens of the user’s other sign-ins', async () => {
    const phone = await signIn(api.app, 'alice@demo');
    const onPhone = await mint(phone);
    const first = await signIn(api.app, 'bob@demo');
    const bobs = await mint(first);
    const next = await signInOver(first, 'alice@demo');
    expect(tokenOf(bobs)?.revokedAt).not.toBeNull();
    expect(tokenOf(onPhone)).toMatchObject({
      revokedAt: null,
      sessionKey: api.t.storage.sessions.keyOf(phone.slice('sb_session='.length)),
    });
    expect(
      api.t.storage.issuedTokens.listLiveOfSession(
        'demo',
        api.t.storage.sessions.keyOf(next),
        Date.now(),
      ),
    ).toEqual([]);
  });
});

describe('/api/session over TLS', () => {
  let api: TestApi;
  beforeEach(async () => {
    const { createServer } = await import('node:http');
    api = await startTestApi({
      config: { tls: { cert: 'unused', key: 'unused' } },
      // app.ts supplies the (https) server; a plain one stands in so no PEM is needed.
      deps: { serverFactory: (handler) => createServer(handler) },
    });
  });
  afterEach(() => api.close());

  const me = (cookie: string) =>
    api.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });

  /** Signs in; returns the Set-Cookie header and the session id in it. */
  async function signInSecurely() {
    const res = await api.app.inject(signInRequest('alice@demo'));
    expect(res.statusCode).toBe(200);
    const setCookie = [res.headers['set-cookie'] ?? []].flat();
    const sessionId = res.cookies.find((c) => c.name === '__Host-sb_session')?.value ?? '';
    return { setCookie, sessionId, res };
  }

  it('names the cookie __Host-sb_session: Secure, Path=/ and no Domain, as the prefix requires', async () => {
    const { setCookie, sessionId, res } = await signInSecurely();
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^__Host-sb_session=[^;]+;/);
    expect(setCookie[0]).toMatch(/;\s*Secure(;|$)/i);
    expect(setCookie[0]).toMatch(/;\s*Path=\/(;|$)/i);
    expect(setCookie[0]).not.toMatch(/Domain=/i);
    expect(res.cookies.find((c) => c.name === 'sb_session')).toBeUndefined();
    expect(sessionId).not.toBe('');
    expect((await me(`__Host-sb_session=${sessionId}`)).statusCode).toBe(200);
  });

  it('ignores a plain sb_session, as a sibling subdomain could have set for the parent domain', async () => {
    const { sessionId } = await signInSecurely();
    expectError(await me(`sb_session=${sessionId}`), 401, 'not_signed_in');
    // Nor does it count as an earlier sign-in of this browser to end or take over.
    const again = await api.app.inject({
      ...signInRequest('bob@demo'),
      headers: { ...signInRequest('bob@demo').headers, cookie: `sb_session=${sessionId}` },
    });
    expect(again.statusCode).toBe(200);
    expect((await me(`__Host-sb_session=${sessionId}`)).json()).toMatchObject({ user: 'alice' });
  });

  it('signs out: __Host-sb_session is cleared and the session ends', async () => {
    const { sessionId } = await signInSecurely();
    const cookie = `__Host-sb_session=${sessionId}`;
    const out = await api.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie },
    });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === '__Host-sb_session');
    expect(cleared).toMatchObject({ value: '', secure: true, path: '/' });
    expect(cleared?.expires?.getTime() ?? cleared?.maxAge).toBeLessThanOrEqual(Date.now());
    expectError(await me(cookie), 401, 'not_signed_in');
  });

  it('clears a __Host-sb_session that signs nobody in', async () => {
    const bad = await me('__Host-sb_session=forged');
    expectError(bad, 401, 'not_signed_in');
    expect(bad.cookies.find((c) => c.name === '__Host-sb_session')).toMatchObject({
      value: '',
      secure: true,
    });
  });
});

describe('/api/session over plain http', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.close());

  it('keeps the name sb_session, without Secure, and reads no __Host-sb_session', async () => {
    const res = await api.app.inject(signInRequest('alice@demo'));
    const cookie = res.cookies.find((c) => c.name === 'sb_session');
    expect(cookie?.secure).toBeUndefined();
    expect(res.cookies.find((c) => c.name === '__Host-sb_session')).toBeUndefined();
    const me = (header: string) =>
      api.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: header } });
    expect((await me(`sb_session=${cookie?.value ?? ''}`)).statusCode).toBe(200);
    expectError(await me(`__Host-sb_session=${cookie?.value ?? ''}`), 401, 'not_signed_in');
  });
});
