import { createHmac, generateKeyPairSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeProtectedHeader, importJWK, SignJWT, type JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY_FILE } from '../../../src/server/auth/signing-key';
import { createTokenIssuer, TokenError, type TokenIssuer } from '../../../src/server/auth/tokens';
import type { AclRule } from '../../../src/shared/acl';
import { openTempStorage, type TempStorage } from '../storage/temp-storage';

const ACL: AclRule[] = [
  { permission: 'allow', action: 'subscribe', topic: 'notifications/${username}' },
  { permission: 'deny', action: 'all', topic: '#' },
];
const SUBJECT = { org: 'demo', user: 'alice', clientId: 'alice-tab1', acl: ACL };
const TTL_SECONDS = 3_600;

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TokenError) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('token issuer', () => {
  let t: TempStorage;
  let issuer: TokenIssuer;
  beforeEach(async () => {
    t = openTempStorage();
    issuer = await createTokenIssuer({
      dataDir: t.dir,
      ttlSeconds: TTL_SECONDS,
      revoked: t.storage.tokens,
      now: () => t.clock.now,
    });
  });
  afterEach(() => t.cleanup());

  const makeIssuer = () =>
    createTokenIssuer({
      dataDir: t.dir,
      ttlSeconds: TTL_SECONDS,
      revoked: t.storage.tokens,
      now: () => t.clock.now,
    });

  /** Signs arbitrary claims with the issuer's own private key, read from its key file. */
  async function signWithOurKey(payload: Record<string, unknown>, typ = 'JWT'): Promise<string> {
    const { kid, privateJwk } = JSON.parse(await readFile(join(t.dir, KEY_FILE), 'utf8')) as {
      kid: string;
      privateJwk: JWK;
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid, typ })
      .sign(await importJWK(privateJwk, 'ES256'));
  }

  it('mints an ES256 JWT with the EMQX claims, and verifies it', async () => {
    const minted = await issuer.mint(SUBJECT);
    const iat = Math.floor(t.clock.now / 1_000);
    expect(minted.expiresAt).toBe((iat + TTL_SECONDS) * 1_000);
    expect(decodeProtectedHeader(minted.token)).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    const claims = await issuer.verify(minted.token);
    expect(claims).toEqual({
      sub: 'alice',
      org: 'demo',
      iat,
      exp: iat + TTL_SECONDS,
      jti: minted.jti,
      clientid: 'alice-tab1',
      acl: ACL,
    });
  });

  it('says who issued it and for what, and refuses one of its key that does not', async () => {
    const minted = await issuer.mint(SUBJECT);
    const [, payload] = minted.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ iss: 'switchboard', aud: 'switchboard-broker' });
    const { iss, aud, ...rest } = claims;
    const typed = (token: Promise<string>) => token.then((signed) => issuer.verify(signed));
    expect(await codeOf(typed(signWithOurKey(claims)))).toBe('accepted');
    for (const other of [
      rest,
      { ...rest, aud },
      { ...rest, iss },
      { ...claims, aud: 'another-service' },
      { ...claims, iss: 'someone-else' },
    ]) {
      expect(await codeOf(typed(signWithOurKey(other)))).toBe('token_invalid');
    }
    expect(await codeOf(typed(signWithOurKey(claims, 'at+jwt')))).toBe('token_invalid');
  });

  it('gives every token its own jti', async () => {
    const [a, b] = await Promise.all([issuer.mint(SUBJECT), issuer.mint(SUBJECT)]);
    expect(a.jti).not.toBe(b.jti);
    expect(a.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('keeps its key across restarts in an owner-only file', async () => {
    const minted = await issuer.mint(SUBJECT);
    const restarted = await makeIssuer();
    await expect(restarted.verify(minted.token)).resolves.toMatchObject({ sub: 'alice' });
    expect(restarted.jwks()).toEqual(issuer.jwks());
    const mode = (await stat(join(t.dir, KEY_FILE))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('publishes only the public key in its JWKS, with the kid tokens carry', async () => {
    const minted = await issuer.mint(SUBJECT);
    const { keys } = issuer.jwks();
    expect(keys).toHaveLength(1);
    const [jwk] = keys;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    expect(decodeProtectedHeader(minted.token).kid).toBe(jwk?.kid);
  });

  it('refuses an expired token, and accepts it until its exp', async () => {
    const minted = await issuer.mint(SUBJECT);
    t.clock.now = minted.expiresAt - 1_000;
    expect(await codeOf(issuer.verify(minted.token))).toBe('accepted');
    t.clock.now = minted.expiresAt;
    expect(await codeOf(issuer.verify(minted.token))).toBe('token_expired');
  });

  it('refuses a revoked token, and only that one', async () => {
    const a = await issuer.mint(SUBJECT);
    const b = await issuer.mint(SUBJECT);
    issuer.revoke(a.jti, a.expiresAt);
    expect(await codeOf(issuer.verify(a.token))).toBe('token_revoked');
    expect(await codeOf(issuer.verify(b.token))).toBe('accepted');
  });

  it('refuses an unsigned alg:none token', async () => {
    const minted = await issuer.mint(SUBJECT);
    const [, payload] = minted.token.split('.');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    expect(await codeOf(issuer.verify(unsigned))).toBe('token_invalid');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const minted = await issuer.mint(SUBJECT);
    const [, payload] = minted.token.split('.');
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const secret = JSON.stringify(issuer.jwks().keys[0]);
    const signature = createHmac('sha256', secret)
      .update(`${header}.${payload}`)
      .digest('base64url');
    expect(await codeOf(issuer.verify(`${header}.${payload}.${signature}`))).toBe('token_invalid');
  });

  it('refuses a token signed by another ES256 key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Math.floor(t.clock.now / 1_000);
    const forged = await new SignJWT({ org: 'demo', clientid: 'x', acl: [] })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.jwks().keys[0]?.kid ?? '' })
      .setSubject('admin')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti('forged')
      .sign(privateKey);
    expect(await codeOf(issuer.verify(forged))).toBe('token_invalid');
  });

  it('refuses a tampered payload', async () => {
    const minted = await issuer.mint(SUBJECT);
    const [header, , signature] = minted.token.split('.');
    const payload = b64({
      sub: 'admin',
      org: 'demo',
      exp: 9_999_999_999,
      iat: 1,
      jti: 'x',
      clientid: 'x',
      acl: [],
    });
    expect(await codeOf(issuer.verify(`${header}.${payload}.${signature}`))).toBe('token_invalid');
  });

  it.each(['', 'garbage', 'a.b.c', 'a.b', 'Bearer x.y.z'])('refuses %j', async (token) => {
    expect(await codeOf(issuer.verify(token))).toBe('token_invalid');
  });

  const now = () => Math.floor(1_700_000_000_000 / 1_000);
  const base = () => ({
    iss: 'switchboard',
    aud: 'switchboard-broker',
    sub: 'alice',
    org: 'demo',
    iat: now(),
    exp: now() + 60,
    jti: 'j',
    clientid: 'c',
    acl: ACL,
  });
  const malformedClaims: [string, Record<string, unknown>][] = [
    ['missing org', { ...base(), org: undefined }],
    ['missing acl', { ...base(), acl: undefined }],
    ['missing jti', { ...base(), jti: undefined }],
    ['invalid org id', { ...base(), org: 'Demo/x' }],
    ['invalid sub', { ...base(), sub: '#' }],
    ['acl not a list', { ...base(), acl: 'allow all' }],
    [
      'acl with a bad rule',
      { ...base(), acl: [{ permission: 'allow', action: 'all', topic: 'a/#/b' }] },
    ],
    ['empty clientid', { ...base(), clientid: '' }],
  ];
  it.each(malformedClaims)('refuses a correctly signed token with %s', async (_name, claims) => {
    const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
    const token = await signWithOurKey(payload);
    expect(await codeOf(issuer.verify(token))).toBe('token_invalid');
  });

  it('accepts a correctly signed token with well-formed claims (the control case)', async () => {
    expect(await codeOf(issuer.verify(await signWithOurKey(base())))).toBe('accepted');
  });
});
