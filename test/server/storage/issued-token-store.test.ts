import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../../src/server/storage';
import { downgradeSchema } from './older-schema';
import { openTempStorage, type TempStorage } from './temp-storage';

// migrations.ts: the seventh migration added session keys.
const SCHEMA_BEFORE_SESSION_KEYS = 6;

describe('IssuedTokenStore: the sign-in that minted each token', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
  });
  afterEach(() => t.cleanup());

  const token = (jti: string, sessionKey: string | null, extra: object = {}) => ({
    jti,
    org: 'demo',
    user: 'alice',
    clientId: `alice-${jti}`,
    issuedAt: t.clock.now,
    expiresAt: t.clock.now + 60_000,
    sessionKey,
    ...extra,
  });
  const live = (sessionKey: string, org = 'demo') =>
    t.storage.issuedTokens.listLiveOfSession(org, sessionKey, t.clock.now).map((x) => x.jti);

  it('keeps the session key, and lists the live tokens of one session', () => {
    const { issuedTokens } = t.storage;
    issuedTokens.record(token('a1', 'laptop'));
    issuedTokens.record(token('a2', 'laptop', { issuedAt: t.clock.now + 1 }));
    issuedTokens.record(token('b1', 'phone'));
    issuedTokens.record(token('old', 'laptop', { expiresAt: t.clock.now - 1 }));
    issuedTokens.record(token('gone', 'laptop'));
    issuedTokens.markRevoked('gone', t.clock.now);
    issuedTokens.record(token('x1', 'laptop', { org: 'acme' }));
    issuedTokens.record(token('before', null));
    expect(issuedTokens.get('demo', 'a1')?.sessionKey).toBe('laptop');
    expect(issuedTokens.get('demo', 'before')?.sessionKey).toBeNull();
    expect(live('laptop')).toEqual(['a2', 'a1']); // newest first
    expect(live('phone')).toEqual(['b1']);
    expect(live('laptop', 'acme')).toEqual(['x1']);
  });

  it('moves the live tokens of one session to another, the revoked and expired staying', () => {
    const { issuedTokens } = t.storage;
    issuedTokens.record(token('a1', 'earlier'));
    issuedTokens.record(token('a2', 'earlier', { issuedAt: t.clock.now + 1 }));
    issuedTokens.record(token('old', 'earlier', { expiresAt: t.clock.now - 1 }));
    issuedTokens.record(token('gone', 'earlier'));
    issuedTokens.markRevoked('gone', t.clock.now);
    issuedTokens.record(token('b1', 'phone'));
    issuedTokens.record(token('n1', 'next'));
    expect(issuedTokens.moveToSession('earlier', 'next', t.clock.now)).toBe(2);
    expect(new Set(live('next'))).toEqual(new Set(['a1', 'a2', 'n1']));
    expect(live('earlier')).toEqual([]);
    expect(live('phone')).toEqual(['b1']);
    expect(issuedTokens.get('demo', 'old')?.sessionKey).toBe('earlier');
    expect(issuedTokens.get('demo', 'gone')?.sessionKey).toBe('earlier');
  });

  it('records a token given no session key as one whose session is not known', () => {
    t.storage.issuedTokens.record({
      jti: 'k',
      org: 'demo',
      user: 'alice',
      clientId: 'alice-k',
      issuedAt: t.clock.now,
      expiresAt: t.clock.now + 60_000,
    });
    expect(t.storage.issuedTokens.get('demo', 'k')?.sessionKey).toBeNull();
  });

  it('keeps the tokens of a database from before session keys, with none', () => {
    t.storage.issuedTokens.record(token('from-before', null));
    t.storage.close();
    // Back to the schema before session keys, as a database of an older version is.
    downgradeSchema(t.dir, SCHEMA_BEFORE_SESSION_KEYS);
    t.storage = openStorage(t.dir, { now: () => t.clock.now });
    expect(t.storage.issuedTokens.get('demo', 'from-before')).toMatchObject({
      user: 'alice',
      sessionKey: null,
    });
    t.storage.issuedTokens.record(token('after', 'laptop'));
    expect(live('laptop')).toEqual(['after']);
  });
});
