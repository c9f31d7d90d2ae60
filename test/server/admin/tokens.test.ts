import { describe, expect, it } from 'vitest';
import { connackCode } from '../support/mqtt-clients';
import { closed, expectApiError, useAdminServer } from './admin-server';

const t = useAdminServer();
const { open } = t;

interface TokenView {
  jti: string;
  user: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  connections: number;
  currentSignIn: boolean;
}

const listTokens = async (query = '') => {
  const res = await t.request(t.cookies.admin, 'GET', `/api/admin/tokens${query}`);
  expect(res.statusCode).toBe(200);
  return res.json<{ tokens: TokenView[] }>().tokens;
};

describe('GET /api/admin/tokens', () => {
  it('lists the tokens POST /api/token minted, with the connections using them', async () => {
    const before = Date.now();
    const { client, clientId, jti } = await t.connectWithToken(t.cookies.alice);
    open.push(client);
    const token = (await listTokens()).find((x) => x.jti === jti);
    expect(token).toEqual({
      jti,
      user: 'alice',
      clientId,
      issuedAt: expect.any(Number),
      expiresAt: expect.any(Number),
      connections: 1,
      currentSignIn: false, // alice's, listed to the admin
    });
    expect(token?.issuedAt).toBeGreaterThanOrEqual(Math.floor(before / 1_000) * 1_000);
    // issuedAt is the minting time in ms; exp counts from the next whole second.
    const fromMs = Math.ceil((token?.issuedAt ?? 0) / 1_000) * 1_000;
    expect(token?.expiresAt).toBe(fromMs + t.server.config.tokenTtlSeconds * 1_000);
    expect((await listTokens('?user=bob')).some((x) => x.jti === jti)).toBe(false);
    expect((await listTokens('?user=alice')).some((x) => x.jti === jti)).toBe(true);
  });

  it('marks the tokens of the caller’s own sign-in, which it refuses to revoke', async () => {
    const me = await t.signIn('admin@demo');
    const mine = await t.connectWithToken(me);
    const phone = await t.connectWithToken(await t.signIn('admin@demo'));
    open.push(mine.client, phone.client);
    const res = await t.request(me, 'GET', '/api/admin/tokens?user=admin');
    const tokens = res.json<{ tokens: TokenView[] }>().tokens;
    expect(tokens.find((x) => x.jti === mine.jti)?.currentSignIn).toBe(true);
    expect(tokens.find((x) => x.jti === phone.jti)?.currentSignIn).toBe(false);
  });

  it('leaves out expired tokens', async () => {
    t.server.storage.issuedTokens.record({
      jti: 'old-one',
      org: 'demo',
      user: 'alice',
      clientId: 'alice-old',
      issuedAt: Date.now() - 7_200_000,
      expiresAt: Date.now() - 3_600_000,
    });
    expect((await listTokens()).some((x) => x.jti === 'old-one')).toBe(false);
  });
});

/**
 * A fresh sign-in: revoking a token ends the sign-in that minted it. (At most 10 a minute per
 * username: session.ts.)
 */
const signInAgain = (username = 'alice@demo') => t.signIn(username);

/** What POST /api/token answers the cookie now: 200, or 401 once its sign-in ended. */
const mintStatus = async (cookie: string) =>
  (await t.request(cookie, 'POST', '/api/token', {})).statusCode;

const lastAudit = async () =>
  (await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1')).json<{
    entries: unknown[];
  }>().entries[0];

describe('POST /api/admin/tokens/:jti/revoke', () => {
  it('disconnects the connection using the token within a second and refuses it after', async () => {
    const { client, jti } = await t.connectWithToken(await signInAgain('bob@demo'));
    open.push(client);
    const started = Date.now();
    const res = await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${jti}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ revoked: [jti], disconnected: 1, signedOut: 1 });
    await closed(client, 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await listTokens()).some((x) => x.jti === jti)).toBe(false);
    expect(t.server.storage.tokens.isRevoked(jti)).toBe(true);
  });

  it('ends the sign-in that minted it: the app gets no fresh token without the password', async () => {
    const cookie = await signInAgain();
    const { client, jti } = await t.connectWithToken(cookie);
    open.push(client);
    await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${jti}/revoke`);
    expectApiError(await t.request(cookie, 'POST', '/api/token', {}), 401, 'not_signed_in');
    expectApiError(await t.request(cookie, 'GET', '/api/session'), 401, 'not_signed_in');
  });

  it('revokes the other tokens that sign-in minted (its other tabs), and only those', async () => {
    const browser = await signInAgain();
    const tab = await t.connectWithToken(browser);
    const otherTab = await t.connectWithToken(browser);
    const otherDevice = await signInAgain();
    const phone = await t.connectWithToken(otherDevice);
    open.push(tab.client, otherTab.client, phone.client);
    const res = await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${tab.jti}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ revoked: string[]; disconnected: number; signedOut: number }>();
    expect(body.revoked.sort()).toEqual([tab.jti, otherTab.jti].sort());
    expect(body).toMatchObject({ disconnected: 2, signedOut: 1 });
    await Promise.all([closed(tab.client), closed(otherTab.client)]);
    expect(phone.client.connected).toBe(true);
    expect(await mintStatus(otherDevice)).toBe(200);
    expect(await mintStatus(browser)).toBe(401);
  });

  it('revokes alone a token whose sign-in is not known (minted before that was recorded)', async () => {
    const cookie = await signInAgain();
    const { client, jti } = await t.connectWithToken(cookie);
    open.push(client);
    // As a token recorded before the issued-token store kept its sign-in.
    t.server.storage.issuedTokens.record({
      jti: 'from-before',
      org: 'demo',
      user: 'alice',
      clientId: 'alice-before',
      issuedAt: Date.now(),
      expiresAt: Date.now() + 60_000,
    });
    const res = await t.request(t.cookies.admin, 'POST', '/api/admin/tokens/from-before/revoke');
    expect(res.json()).toEqual({ revoked: ['from-before'], disconnected: 0, signedOut: 0 });
    expect(client.connected).toBe(true);
    expect((await listTokens()).some((x) => x.jti === jti)).toBe(true);
  });

  it('leaves other sign-ins of the user connected', async () => {
    const first = await t.connectWithToken(await signInAgain());
    const second = await t.connectWithToken(t.cookies.alice);
    open.push(first.client, second.client);
    await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${first.jti}/revoke`);
    await closed(first.client);
    expect(second.client.connected).toBe(true);
  });

  it('refuses a reconnect with the revoked token', async () => {
    const res = await t.request(await signInAgain('bob@demo'), 'POST', '/api/token', {});
    const token = res.json<{ username: string; password: string; clientId: string }>();
    const { jti } = await t.server.tokens.verify(token.password);
    await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${jti}/revoke`);
    const code = await connackCode(t.server.wsUrl, {
      username: token.username,
      password: token.password,
      clientId: token.clientId,
    });
    expect(code).toBe(4); // bad user name or password
  });

  it('answers 404 for an unknown token', async () => {
    expectApiError(
      await t.request(t.cookies.admin, 'POST', '/api/admin/tokens/nope/revoke'),
      404,
      'token_not_found',
    );
  });

  it('refuses a token of the caller’s own sign-in, which would sign them out mid-request', async () => {
    const me = await signInAgain('admin@demo');
    const { client, jti } = await t.connectWithToken(me);
    open.push(client);
    const res = await t.request(me, 'POST', `/api/admin/tokens/${jti}/revoke`);
    expect(expectApiError(res, 409, 'cannot_modify_self').error.message).toBe(
      'you cannot revoke a token of the sign-in you are using; it would sign you out',
    );
    expect(t.server.storage.tokens.isRevoked(jti)).toBe(false);
    expect(client.connected).toBe(true);
    expect((await t.request(me, 'GET', '/api/session')).statusCode).toBe(200);
    expect(await mintStatus(me)).toBe(200);
  });

  it('revokes a token of another sign-in of the caller’s, ending that one only', async () => {
    const me = await signInAgain('admin@demo');
    const lostPhone = await signInAgain('admin@demo');
    const phone = await t.connectWithToken(lostPhone);
    open.push(phone.client);
    const res = await t.request(me, 'POST', `/api/admin/tokens/${phone.jti}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ revoked: [phone.jti], disconnected: 1, signedOut: 1 });
    await closed(phone.client);
    expect(await mintStatus(lostPhone)).toBe(401);
    expect(await mintStatus(me)).toBe(200);
  });

  it('refuses a token already revoked, and does and audits nothing more', async () => {
    const cookie = await signInAgain('bob@demo');
    const { client, jti } = await t.connectWithToken(cookie);
    open.push(client);
    expect(
      (await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${jti}/revoke`)).statusCode,
    ).toBe(200);
    await closed(client);
    const audited = await lastAudit();
    const res = await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${jti}/revoke`);
    expect(expectApiError(res, 409, 'token_not_live').error.message).toBe(
      'this token has already expired or been revoked',
    );
    expect(await lastAudit()).toEqual(audited); // nothing more done
  });

  it('refuses an expired token: the sign-in that minted it, still live, stays', async () => {
    const cookie = await signInAgain();
    const sessionId = cookie.slice('sb_session='.length);
    const sibling = await t.connectWithToken(cookie);
    open.push(sibling.client);
    // As a token of this sign-in that expired in the admin's open list.
    t.server.storage.issuedTokens.record({
      jti: 'expired-one',
      org: 'demo',
      user: 'alice',
      clientId: 'alice-expired',
      issuedAt: Date.now() - 7_200_000,
      expiresAt: Date.now() - 1_000,
      sessionKey: t.server.storage.sessions.keyOf(sessionId),
    });
    const res = await t.request(t.cookies.admin, 'POST', '/api/admin/tokens/expired-one/revoke');
    expectApiError(res, 409, 'token_not_live');
    expect(await mintStatus(cookie)).toBe(200);
    expect(sibling.client.connected).toBe(true);
    expect(t.server.storage.tokens.isRevoked(sibling.jti)).toBe(false);
  });

  it('records the revocation in the audit log', async () => {
    const cookie = await signInAgain();
    const { client, jti } = await t.connectWithToken(cookie);
    const sibling = await t.connectWithToken(cookie);
    open.push(client, sibling.client);
    await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${jti}/revoke`);
    const audit = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1');
    expect(audit.json<{ entries: unknown[] }>().entries[0]).toMatchObject({
      actor: 'admin',
      action: 'token.revoke',
      target: jti,
      detail: { user: 'alice', disconnected: 2, signedOut: 1, alsoRevoked: [sibling.jti] },
    });
  });
});

describe('POST /api/admin/users/:user/revoke-tokens', () => {
  it('revokes every live token of the user and closes their connections', async () => {
    const bob = await t.signIn('bob@demo');
    const a = await t.connectWithToken(bob);
    const b = await t.connectWithToken(bob);
    const alice = await t.connectWithToken(t.cookies.alice);
    open.push(a.client, b.client, alice.client);
    const res = await t.request(t.cookies.admin, 'POST', '/api/admin/users/bob/revoke-tokens');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ revoked: string[]; disconnected: number }>();
    expect(body.revoked).toEqual(expect.arrayContaining([a.jti, b.jti]));
    expect(body.disconnected).toBe(2);
    await Promise.all([closed(a.client), closed(b.client)]);
    expect(alice.client.connected).toBe(true);
    expect(await listTokens('?user=bob')).toEqual([]);
  });

  it('ends their sign-ins: the app gets no fresh token, and signs in only with the password', async () => {
    const laptop = await t.signIn('bob@demo');
    const phone = await t.signIn('bob@demo');
    const tab = await t.connectWithToken(laptop);
    open.push(tab.client);
    const res = await t.request(t.cookies.admin, 'POST', '/api/admin/users/bob/revoke-tokens');
    expect(res.json()).toMatchObject({ revoked: [tab.jti], disconnected: 1, signedOut: 2 });
    for (const cookie of [laptop, phone]) {
      expectApiError(await t.request(cookie, 'POST', '/api/token', {}), 401, 'not_signed_in');
    }
    expect(await mintStatus(t.cookies.alice)).toBe(200); // others' stay
    expect(await mintStatus(await t.signIn('bob@demo'))).toBe(200);
    const audit = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1');
    expect(audit.json<{ entries: unknown[] }>().entries[0]).toMatchObject({
      action: 'user.revoke_tokens',
      target: 'bob',
      detail: { revoked: 1, disconnected: 1, signedOut: 2 },
    });
  });

  it('answers 404 for an unknown user', async () => {
    expectApiError(
      await t.request(t.cookies.admin, 'POST', '/api/admin/users/nobody/revoke-tokens'),
      404,
      'user_not_found',
    );
  });

  it('refuses the caller’s own: it would end the sign-in making the request', async () => {
    const me = await signInAgain('admin@demo');
    const tab = await t.connectWithToken(me);
    open.push(tab.client);
    expectApiError(
      await t.request(me, 'POST', '/api/admin/users/admin/revoke-tokens'),
      409,
      'cannot_modify_self',
    );
    expect(t.server.storage.tokens.isRevoked(tab.jti)).toBe(false);
    expect(tab.client.connected).toBe(true);
    expect((await t.request(me, 'GET', '/api/session')).statusCode).toBe(200);
    expect(await mintStatus(t.cookies.admin)).toBe(200); // nor any other of theirs
  });
});
