import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { errors, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { validateAclRule, type AclRule } from '../../shared/acl';
import { isValidId } from '../../shared/ids';
import type { RevokedTokenStore } from '../storage';
import { loadOrCreateSigningKey, SIGNING_ALG } from './signing-key';
import { TokenError } from './token-error';

export { TokenError, type TokenErrorCode } from './token-error';

/**
 * Who issues broker tokens and what for. Anything trusting the server's JWKS (an external
 * EMQX, a service of the user's) can tell them from other tokens the key might sign, and
 * the server refuses a token of its key that does not say both.
 */
export const TOKEN_ISSUER = 'switchboard';
export const TOKEN_AUDIENCE = 'switchboard-broker';

/** The claims of a broker token; `acl` is in EMQX 5's format with placeholders kept. */
export interface TokenClaims {
  sub: string;
  org: string;
  /** seconds since the epoch, as JWT has it */
  iat: number;
  /** seconds since the epoch, as JWT has it */
  exp: number;
  jti: string;
  clientid: string;
  acl: AclRule[];
}

export interface MintedToken {
  token: string;
  jti: string;
  /**
   * ms since the epoch, when it was minted (the `iat` claim is this in whole seconds,
   * rounded down): expiresAt - issuedAt is the time it really has, at least the TTL.
   */
  issuedAt: number;
  /** ms since the epoch */
  expiresAt: number;
}

export interface TokenIssuer {
  mint(subject: {
    org: string;
    user: string;
    clientId: string;
    acl: AclRule[];
  }): Promise<MintedToken>;
  /** @throws TokenError token_expired | token_invalid | token_revoked */
  verify(token: string): Promise<TokenClaims>;
  /** `expiresAt` in ms: the revocation is kept until then. */
  revoke(jti: string, expiresAt: number): void;
  /** Public keys for external brokers (EMQX JWT authentication with JWKS). */
  jwks(): JSONWebKeySet;
}

export interface TokenIssuerOptions {
  dataDir: string;
  ttlSeconds: number;
  revoked: RevokedTokenStore;
  /** Clock in ms since the epoch; tests move it to expire tokens. */
  now?: () => number;
}

// Three base64url segments, the first a JSON header: a JWT, not a password.
const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/;

/**
 * Whether a CONNECT's password is checked as a token (a signature: cheap) rather than as a
 * permanent password (scrypt). The broker's check and its throttle decide by this alone.
 */
export const looksLikeToken = (password: string): boolean => JWT_SHAPE.test(password);

const JTI_BYTES = 16;

function isAclRuleList(value: unknown): value is AclRule[] {
  return Array.isArray(value) && value.every((rule) => validateAclRule(rule).ok);
}

// A valid signature proves we minted the token, but checking the shapes again means a
// bug in minting can never turn into a broker accepting a malformed identity.
function toClaims(payload: Record<string, unknown>): TokenClaims {
  const { sub, org, iat, exp, jti, clientid, acl } = payload;
  if (
    typeof sub !== 'string' ||
    !isValidId(sub) ||
    typeof org !== 'string' ||
    !isValidId(org) ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string' ||
    typeof clientid !== 'string' ||
    clientid === '' ||
    !isAclRuleList(acl)
  ) {
    throw new TokenError('token_invalid', 'token claims are malformed');
  }
  return { sub, org, iat, exp, jti, clientid, acl };
}

export async function createTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const { dataDir, ttlSeconds, revoked } = options;
  const now = options.now ?? Date.now;
  await mkdir(dataDir, { recursive: true });
  const key = await loadOrCreateSigningKey(dataDir);

  return {
    async mint({ org, user, clientId, acl }) {
      const issuedAt = now();
      const iat = Math.floor(issuedAt / 1_000);
      // From the next whole second, so a token lives at least its TTL: counted from the
      // second it was minted in, a 1 s token minted late in a second was dead on arrival.
      const exp = Math.ceil(issuedAt / 1_000) + ttlSeconds;
      const jti = randomBytes(JTI_BYTES).toString('base64url');
      const token = await new SignJWT({ org, clientid: clientId, acl })
        .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: 'JWT' })
        .setSubject(user)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(key.privateKey);
      return { token, jti, issuedAt, expiresAt: exp * 1_000 };
    },

    async verify(token) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, key.publicKey, {
          // Pinned: `alg: none`, HS256 with the public key as secret and every other
          // algorithm substitution are refused before any signature check.
          algorithms: [SIGNING_ALG],
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          typ: 'JWT',
          requiredClaims: ['sub', 'org', 'iat', 'exp', 'jti', 'clientid', 'acl'],
          currentDate: new Date(now()),
        }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) {
          throw new TokenError('token_expired', 'token has expired');
        }
        throw new TokenError('token_invalid', 'token is not valid');
      }
      const claims = toClaims(payload);
      if (revoked.isRevoked(claims.jti)) {
        throw new TokenError('token_revoked', 'token has been revoked');
      }
      return claims;
    },

    revoke(jti, expiresAt) {
      revoked.revoke(jti, expiresAt);
    },

    jwks: () => ({ keys: [{ ...key.publicJwk }] }),
  };
}
