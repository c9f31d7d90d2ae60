import type { Username } from '../../shared/ids';
import { effectiveRules } from '../auth/effective-rules';
import { dummyPasswordHash, verifyPassword } from '../auth/password';
import { looksLikeToken, TokenError, type TokenIssuer } from '../auth/tokens';
import type { UserRecord, UserStore } from '../storage';
import type { VerifyCredentials } from './authenticate';
import { passwordStamp, type Principal } from './client-identity';
import { CONNACK, ConnectRefused } from './refusal';

/**
 * A CONNECT's password is either a temporary token from POST /api/token or, for services,
 * agents and devices, a permanent password. Either way the rules come from the database at
 * connect time (later changes reach the connection through live-acl.ts); the token's `acl`
 * claim is for external brokers that validate the same tokens.
 */
export function createVerifyCredentials(deps: {
  users: UserStore;
  tokens: TokenIssuer;
}): VerifyCredentials {
  const badCredentials = () =>
    new ConnectRefused(
      'invalid_credentials',
      'bad user name or password',
      CONNACK.badUsernameOrPassword,
    );

  return async function verifyCredentials(
    { user, org }: Username,
    password: string,
    clientId: string,
  ): Promise<Principal> {
    if (looksLikeToken(password)) {
      let claims;
      try {
        claims = await deps.tokens.verify(password);
      } catch (error) {
        if (error instanceof TokenError) {
          throw new ConnectRefused(error.code, error.message, CONNACK.badUsernameOrPassword);
        }
        throw error;
      }
      if (claims.sub !== user || claims.org !== org) {
        throw new ConnectRefused(
          'token_mismatch',
          'the token belongs to another user',
          CONNACK.badUsernameOrPassword,
        );
      }
      // A token is minted for one client id (DESIGN.md): a copy of it cannot open, or
      // take over, any other session of its user.
      if (claims.clientid !== clientId) {
        throw new ConnectRefused(
          'token_client_mismatch',
          'the token was issued for another client id',
          CONNACK.badUsernameOrPassword,
        );
      }
      const record = deps.users.getUser(org, user);
      if (!record) throw badCredentials(); // deleted since the token was minted
      // Removed and added again: the old account's tokens are not the new one's. `iat` is
      // in whole seconds, so a token of the second the user was created still counts.
      if ((claims.iat + 1) * 1_000 <= record.createdAt) throw badCredentials();
      return {
        ...principalOf(record),
        jti: claims.jti,
        expiresAt: claims.exp * 1_000,
        passwordStamp: null,
      };
    }
    const record = deps.users.getUser(org, user);
    // Same work and answer for an unknown user as for a wrong password.
    const valid = await verifyPassword(
      password,
      record?.passwordHash ?? (await dummyPasswordHash()),
    );
    if (!record || !valid) throw badCredentials();
    // Read again after the hash: disabled, deleted (or deleted and added again), given a
    // new password or new rules meanwhile, the connection must not start on the record of
    // before.
    const current = deps.users.getUser(org, user);
    if (current?.createdAt !== record.createdAt || current.passwordHash !== record.passwordHash)
      throw badCredentials();
    return {
      ...principalOf(current),
      jti: null,
      expiresAt: null,
      passwordStamp: passwordStamp(current.passwordHash),
    };
  };

  function principalOf(record: UserRecord): Omit<Principal, 'jti' | 'expiresAt' | 'passwordStamp'> {
    const { org, user } = record;
    if (record.disabled) {
      throw new ConnectRefused('user_disabled', 'this account is disabled', CONNACK.notAuthorized);
    }
    return { org, user, rules: effectiveRules(deps.users, record) };
  }
}
