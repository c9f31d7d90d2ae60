import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempStorage, type TempStorage } from './temp-storage';

describe('RevokedTokenStore', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
  });
  afterEach(() => t.cleanup());

  it('refuses a revoked jti until pruned after its expiry', () => {
    const tokens = t.storage.tokens;
    tokens.revoke('jti-1', 2_000);
    tokens.revoke('jti-2', 5_000);
    expect(tokens.isRevoked('jti-1')).toBe(true);
    expect(tokens.isRevoked('jti-3')).toBe(false);
    expect(tokens.prune(1_999)).toBe(0);
    expect(tokens.prune(3_000)).toBe(1);
    expect(tokens.isRevoked('jti-1')).toBe(false);
    expect(tokens.isRevoked('jti-2')).toBe(true);
  });

  it('never shortens a revocation when revoked twice', () => {
    const tokens = t.storage.tokens;
    tokens.revoke('jti', 9_000);
    tokens.revoke('jti', 1_000);
    expect(tokens.prune(5_000)).toBe(0);
    expect(tokens.isRevoked('jti')).toBe(true);
  });
});
