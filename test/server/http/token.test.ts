import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import { expectError, signIn, startTestApi, storedSession, type TestApi } from './test-api';

interface TokenResponse {
  url: string;
  username: string;
  password: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  protocolVersion: number;
}

describe('POST /api/token', () => {
  let api: TestApi;
  let cookie: string;
  beforeEach(async () => {
    api = await startTestApi();
    cookie = await signIn(api.app, 'alice@demo');
  });
  afterEach(() => api.close());

  const mint = (payload?: string, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'POST',
      url: '/api/token',
      headers: {
        cookie,
        'content-type': 'application/json',
        host: 'chat.example:8080',
        ...headers,
      },
      ...(payload === undefined ? {} : { payload }),
    });

  it('mints a broker credential whose JWT the issuer verifies, with the EMQX claims', async () => {
    const before = Date.now();
    const res = await mint('{}');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as TokenResponse;
    expect(body).toMatchObject({
      url: 'ws://chat.example:8080/mqtt',
      username: 'alice@demo',
      protocolVersion: 4,
    });
    expect(body.clientId).toMatch(/^alice-[0-9a-f]{12}$/);
    const ttlMs = api.config.tokenTtlSeconds * 1_000;
    expect(body.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1_000) * 1_000 + ttlMs);
    expect(body.expiresAt).toBeLessThanOrEqual(Date.now() + ttlMs + 1_000);

    const claims = await api.tokens.verify(body.password);
    expect(claims).toMatchObject({
      sub: 'alice',
      org: 'demo',
      clientid: body.clientId,
      acl: roleRules('member'),
    });
    expect(claims.exp * 1_000).toBe(body.expiresAt);
    // The lifetime the client renews by is the token's real one, at least the TTL: iat
    // rounds down, exp counts from the next whole second.
    expect(Math.floor(body.issuedAt / 1_000)).toBe(claims.iat);
    expect(body.expiresAt - body.issuedAt).toBeGreaterThanOrEqual(ttlMs);
    expect(body.expiresAt - body.issuedAt).toBeLessThan(ttlMs + 1_000);
    expect(claims.exp).toBe(Math.ceil(body.issuedAt / 1_000) + api.config.tokenTtlSeconds);
    expect(claims.jti).toEqual(expect.any(String));
  });

  it('puts the user’s extra rules before the role template', async () => {
    const extra = [{ permission: 'deny' as const, action: 'all' as const, topic: 'chat/secret/#' }];
    api.t.storage.users.setExtraRules('demo', 'alice', extra);
    const body = (await mint('{}')).json() as TokenResponse;
    const claims = await api.tokens.verify(body.password);
    expect(claims.acl).toEqual([...extra, ...roleRules('member')]);
    // ${username} placeholders are kept for EMQX, not expanded.
    expect(JSON.stringify(claims.acl)).toContain('${username}');
  });

  it('mints with the role of the signed-in user', async () => {
    const admin = await signIn(api.app, 'admin@demo');
    const res = await mint('{}', { cookie: admin });
    const claims = await api.tokens.verify((res.json() as TokenResponse).password);
    expect(claims).toMatchObject({ sub: 'admin', acl: roleRules('admin') });
  });

  it('keeps the client id the tab asks for, so its persistent session resumes', async () => {
    const res = await mint(JSON.stringify({ clientId: 'alice-tab-1' }));
    expect(res.statusCode).toBe(200);
    const body = res.json() as TokenResponse;
    expect(body.clientId).toBe('alice-tab-1');
    expect((await api.tokens.verify(body.password)).clientid).toBe('alice-tab-1');
  });

  it('takes an empty body as no fields', async () => {
    expect((await mint()).statusCode).toBe(200);
    expect((await mint('')).statusCode).toBe(200);
  });

  it('keeps a generated client id a valid id for a 64-character user', async () => {
    const long = 'u'.repeat(64);
    const { hashPassword } = await import('../../../src/server/auth/password');
    api.t.storage.users.addUser({
      org: 'demo',
      user: long,
      role: 'member',
      passwordHash: await hashPassword('pw-for-long'),
    });
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: `${long}@demo`, password: 'pw-for-long' }),
    });
    const longCookie = `sb_session=${login.cookies[0]?.value ?? ''}`;
    const body = (await mint('{}', { cookie: longCookie })).json() as TokenResponse;
    expect(body.clientId).toMatch(/^u{51}-[0-9a-f]{12}$/);
  });

  it('answers wss:// when the server speaks TLS', async () => {
    const { createServer } = await import('node:http');
    const tlsApi = await startTestApi({
      config: { tls: { cert: 'unused', key: 'unused' } },
      deps: { serverFactory: (handler) => createServer(handler) },
    });
    try {
      const tlsCookie = await signIn(tlsApi.app, 'bob@demo');
      const res = await tlsApi.app.inject({
        method: 'POST',
        url: '/api/token',
        headers: { cookie: tlsCookie, 'content-type': 'application/json', host: 'sb.example' },
        payload: '{}',
      });
      expect((res.json() as TokenResponse).url).toBe('wss://sb.example/mqtt');
    } finally {
      await tlsApi.close();
    }
  });

  const badClientIds: [string, unknown][] = [
    ['uppercase', 'Alice-tab'],
    ['a wildcard', 'alice+'],
    ['a slash', 'alice/tab'],
    ['empty', ''],
    ['65 characters', 'a'.repeat(65)],
    ['a reserved name', 'constructor'],
    ['not a string', 42],
  ];
  it.each(badClientIds)('refuses a client id with %s', async (_name, clientId) => {
    const res = await mint(JSON.stringify({ clientId }));
    expectError(res, 400, typeof clientId === 'string' ? 'invalid_client_id' : 'invalid_body');
  });

  it('hands out no token when the session ends while it is being signed', async () => {
    const sign = api.tokens.mint.bind(api.tokens);
    let signing!: () => void;
    const signed = new Promise<void>((resolve) => (signing = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let signedToken = '';
    api.tokens.mint = async (claims) => {
      const minted = await sign(claims);
      signedToken = minted.token;
      signing();
      await released;
      return minted;
    };
    const minting = mint('{}');
    await signed;
    // A password reset ends the sign-in sessions and revokes the live tokens it can see.
    api.t.storage.sessions.deleteForUser('demo', 'alice');
    release();
    const res = await minting;
    expectError(res, 401, 'not_signed_in');
    expect(api.t.storage.issuedTokens.listLive('demo', Date.now(), 'alice')).toEqual([]);
    // Had it leaked anyway, the broker would refuse it.
    await expect(api.tokens.verify(signedToken)).rejects.toThrow();
  });

  it.each([
    ['an agent', 'agent-01'],
    ['a service', 'notifier'],
  ])(
    'refuses %s’s session (signed in before that was refused), and ends it',
    async (_case, user) => {
      const session = storedSession(api, 'demo', user);
      const res = await mint('{}', { cookie: session });
      expectError(res, 403, 'not_an_app_account');
      expect(res.cookies.find((c) => c.name === 'sb_session')?.value).toBe('');
      expect(api.t.storage.issuedTokens.listLive('demo', Date.now(), user)).toEqual([]);
      // Ended: a reload shows the sign-in page, which says why when they sign in.
      const again = await api.app.inject({
        method: 'GET',
        url: '/api/session',
        headers: { cookie: session },
      });
      expectError(again, 401, 'not_signed_in');
    },
  );

  it('records which sign-in minted the token, by its key, never its id', async () => {
    const body = (await mint('{}')).json() as TokenResponse;
    const { jti } = await api.tokens.verify(body.password);
    const sessionId = cookie.slice('sb_session='.length);
    const issued = api.t.storage.issuedTokens.get('demo', jti);
    expect(issued?.sessionKey).toBe(api.t.storage.sessions.keyOf(sessionId));
    expect(issued?.sessionKey).not.toContain(sessionId);
  });

  it('refuses without a session', async () => {
    expectError(await mint('{}', { cookie: '' }), 401, 'not_signed_in');
    expectError(await mint('{}', { cookie: 'sb_session=nope' }), 401, 'not_signed_in');
  });

  it('refuses a non-JSON request (CSRF defence)', async () => {
    expectError(
      await mint('clientId=x', { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
    expectError(
      await mint('clientId=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    );
  });

  it('refuses bad JSON', async () => {
    expectError(await mint('{"clientId":'), 400, 'invalid_json');
  });

  it('refuses a Host header that is not a host', async () => {
    expectError(await mint('{}', { host: 'evil.example/path?x=' }), 400, 'invalid_host');
  });

  it('rate limits minting to 30 a minute per session', async () => {
    for (let i = 0; i < 30; i++) expect((await mint('{}')).statusCode).toBe(200);
    expectError(await mint('{}'), 429, 'rate_limited');
    // Another session (same IP) still mints.
    const other = await signIn(api.app, 'bob@demo');
    expect((await mint('{}', { cookie: other })).statusCode).toBe(200);
  });
});
