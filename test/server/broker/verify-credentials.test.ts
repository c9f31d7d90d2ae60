import { beforeAll, describe, expect, it } from 'vitest';
import { roleRules, type AclRule } from '../../../src/shared/acl';
import { hashPassword } from '../../../src/server/auth/password';
import type { TokenIssuer } from '../../../src/server/auth/tokens';
import { createVerifyCredentials } from '../../../src/server/broker/verify-credentials';
import type { UserRecord, UserStore } from '../../../src/server/storage';

// A password takes a scrypt hash to check: whatever happens to the user meanwhile (an
// admin disables, deletes or narrows them) must hold for the connection that results.

const PASSWORD = 'correct horse battery';
let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

/** A user store whose first read of the user is followed at once by `meanwhile`. */
function usersChangedMeanwhile(meanwhile: (records: Map<string, UserRecord>) => void) {
  const records = new Map<string, UserRecord>([
    [
      'dana',
      { org: 'demo', user: 'dana', role: 'agent', passwordHash, disabled: false, createdAt: 1 },
    ],
  ]);
  const extra = new Map<string, AclRule[]>();
  let reads = 0;
  const users = {
    getUser(_org: string, user: string) {
      const record = records.get(user);
      if (++reads === 1) queueMicrotask(() => meanwhile(records));
      return record && { ...record };
    },
    extraRules: (_org: string, user: string) => extra.get(user) ?? [],
  } as unknown as UserStore;
  return { users, extra };
}

const verify = (users: UserStore) =>
  createVerifyCredentials({ users, tokens: {} as TokenIssuer })(
    { user: 'dana', org: 'demo' },
    PASSWORD,
    'dana-box',
  );

describe('a password CONNECT reads the user again after checking the hash', () => {
  it('is refused when the user was disabled meanwhile', async () => {
    const { users } = usersChangedMeanwhile((records) => {
      records.get('dana')!.disabled = true;
    });
    await expect(verify(users)).rejects.toMatchObject({ code: 'user_disabled' });
  });

  it('is refused when the user was deleted, or deleted and added again, meanwhile', async () => {
    const deleted = usersChangedMeanwhile((records) => records.delete('dana'));
    await expect(verify(deleted.users)).rejects.toMatchObject({ code: 'invalid_credentials' });
    const again = usersChangedMeanwhile((records) => {
      records.set('dana', { ...records.get('dana')!, createdAt: 2 });
    });
    await expect(verify(again.users)).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('is refused when the password was reset meanwhile', async () => {
    const { users } = usersChangedMeanwhile((records) => {
      records.get('dana')!.passwordHash = 'scrypt$another';
    });
    await expect(verify(users)).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('starts on the role and rules of after', async () => {
    const deny: AclRule = { permission: 'deny', action: 'all', topic: 'agents/dana/#' };
    const changed = usersChangedMeanwhile((records) => {
      records.get('dana')!.role = 'service';
      changed.extra.set('dana', [deny]);
    });
    const principal = await verify(changed.users);
    expect(principal.rules).toEqual([deny, ...roleRules('service')]);
  });
});
