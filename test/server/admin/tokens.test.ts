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
    });
    expect(token?.issuedAt).toBeGreaterThanOrEqual(Math.floor(before / 1_000) * 1_000);
    // issuedAt is the minting time in ms; exp counts from the next whole second.
    const fromMs = Math.ceil((token?.issuedAt ?? 0) / 1_000) * 1_000;
    expect(token?.expiresAt).toBe(fromMs + t.server.config.tokenTtlSeconds * 1_000);
    expect((await listTokens('?user=bob')).some((x) => x.jti === jti)).toBe(false);
    expect((await listTokens('?user=alice')).some((x) => x.jti === jti)).toBe(true);
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

describe('POST /api/admin/tokens/:jti/revoke', () => {
  it('disconnects the connection using the token within a second and refuses it after', async () => {
    const { client, jti } = await t.connectWithToken(t.cookies.alice);
    open.push(client);
    const started = Date.now();
    const res = await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${jti}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ revoked: [jti], disconnected: 1 });
    await closed(client, 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await listTokens()).some((x) => x.jti === jti)).toBe(false);
    expect(t.server.storage.tokens.isRevoked(jti)).toBe(true);
  });

  it('leaves other tokens of the user connected', async () => {
    const first = await t.connectWithToken(t.cookies.alice);
    const second = await t.connectWithToken(t.cookies.alice);
    open.push(first.client, second.client);
    await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${first.jti}/revoke`);
    await closed(first.client);
    expect(second.client.connected).toBe(true);
  });

  it('refuses a reconnect with the revoked token', async () => {
    const res = await t.request(t.cookies.alice, 'POST', '/api/token', {});
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

  it('records the revocation in the audit log', async () => {
    const { client, jti } = await t.connectWithToken(t.cookies.alice);
    open.push(client);
    await t.request(t.cookies.admin, 'POST', `/api/admin/tokens/${jti}/revoke`);
    const audit = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1');
    expect(audit.json<{ entries: unknown[] }>().entries[0]).toMatchObject({
      actor: 'admin',
      action: 'token.revoke',
      target: jti,
      detail: { user: 'alice', disconnected: 1 },
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

  it('answers 404 for an unknown user', async () => {
    expectApiError(
      await t.request(t.cookies.admin, 'POST', '/api/admin/users/nobody/revoke-tokens'),
      404,
      'user_not_found',
    );
  });
});
