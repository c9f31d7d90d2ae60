import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, type StorageErrorCode } from '../../../src/server/storage';
import type { Role } from '../../../src/shared/acl';
import { openTempStorage, type TempStorage } from './temp-storage';

function codeOf(fn: () => unknown): StorageErrorCode | 'no error' {
  try {
    fn();
  } catch (err) {
    if (err instanceof StorageError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('UserStore', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
    t.storage.users.addOrg('demo');
  });
  afterEach(() => t.cleanup());

  const newUser = (user: string, role: Role = 'member', org = 'demo') => ({
    org,
    user,
    role,
    passwordHash: 'hash',
  });

  it('adds, gets and lists users', () => {
    const users = t.storage.users;
    const created = users.addUser(newUser('bob'));
    users.addUser(newUser('alice', 'admin'));
    expect(created).toEqual({
      org: 'demo',
      user: 'bob',
      role: 'member',
      passwordHash: 'hash',
      disabled: false,
      createdAt: t.clock.now,
    });
    expect(users.getUser('demo', 'bob')).toEqual(created);
    expect(users.getUser('demo', 'nobody')).toBeUndefined();
    expect(users.listUsers('demo').map((u) => u.user)).toEqual(['alice', 'bob']);
  });

  it('lists orgs sorted and answers hasOrg', () => {
    t.storage.users.addOrg('acme');
    expect(t.storage.users.listOrgs()).toEqual(['acme', 'demo']);
    expect(t.storage.users.hasOrg('acme')).toBe(true);
    expect(t.storage.users.hasOrg('other')).toBe(false);
  });

  it('keeps orgs apart: the same user id in two orgs is two users', () => {
    t.storage.users.addOrg('acme');
    t.storage.users.addUser(newUser('bob', 'member'));
    t.storage.users.addUser(newUser('bob', 'admin', 'acme'));
    expect(t.storage.users.getUser('acme', 'bob')?.role).toBe('admin');
    expect(t.storage.users.getUser('demo', 'bob')?.role).toBe('member');
  });

  const refusals: [string, (t: TempStorage) => unknown, StorageErrorCode][] = [
    ['org with uppercase', (t) => t.storage.users.addOrg('Demo'), 'invalid_id'],
    ['org with slash', (t) => t.storage.users.addOrg('a/b'), 'invalid_id'],
    ['org __proto__', (t) => t.storage.users.addOrg('__proto__'), 'invalid_id'],
    ['org constructor', (t) => t.storage.users.addOrg('constructor'), 'invalid_id'],
    ['org twice', (t) => t.storage.users.addOrg('demo'), 'exists'],
    ['user with @', (t) => t.storage.users.addUser(newUser('a@b')), 'invalid_id'],
    ['user with +', (t) => t.storage.users.addUser(newUser('a+')), 'invalid_id'],
    ['empty user', (t) => t.storage.users.addUser(newUser('')), 'invalid_id'],
    ['user too long', (t) => t.storage.users.addUser(newUser('a'.repeat(65))), 'invalid_id'],
    [
      'unknown role',
      (t) => t.storage.users.addUser(newUser('eve', 'root' as Role)),
      'invalid_role',
    ],
    [
      'unknown org',
      (t) => t.storage.users.addUser(newUser('eve', 'member', 'nope')),
      'unknown_org',
    ],
    [
      'user twice',
      (t) => {
        t.storage.users.addUser(newUser('eve'));
        t.storage.users.addUser(newUser('eve'));
      },
      'exists',
    ],
    ['list unknown org', (t) => t.storage.users.listUsers('nope'), 'unknown_org'],
    ['password of nobody', (t) => t.storage.users.setPassword('demo', 'x', 'h'), 'not_found'],
    ['role of nobody', (t) => t.storage.users.setRole('demo', 'x', 'admin'), 'not_found'],
    ['disable nobody', (t) => t.storage.users.setDisabled('demo', 'x', true), 'not_found'],
    ['rules of nobody', (t) => t.storage.users.extraRules('demo', 'x'), 'not_found'],
    ['set rules of nobody', (t) => t.storage.users.setExtraRules('demo', 'x', []), 'not_found'],
  ];
  it.each(refusals)('refuses %s', (_name, act, code) => {
    expect(codeOf(() => act(t))).toBe(code);
  });

  it('changes password, role and disabled', () => {
    const users = t.storage.users;
    users.addUser(newUser('bob'));
    users.setPassword('demo', 'bob', 'new-hash');
    users.setRole('demo', 'bob', 'service');
    users.setDisabled('demo', 'bob', true);
    expect(users.getUser('demo', 'bob')).toMatchObject({
      passwordHash: 'new-hash',
      role: 'service',
      disabled: true,
    });
    users.setDisabled('demo', 'bob', false);
    expect(users.getUser('demo', 'bob')?.disabled).toBe(false);
    expect(codeOf(() => users.setRole('demo', 'bob', 'god' as Role))).toBe('invalid_role');
  });

  it('counts the enabled admins of an org, but the one named', () => {
    const users = t.storage.users;
    t.storage.users.addOrg('acme');
    users.addUser(newUser('ann', 'admin'));
    users.addUser(newUser('bo', 'admin'));
    users.addUser(newUser('cy', 'admin'));
    users.addUser(newUser('dee', 'member'));
    users.addUser(newUser('eve', 'admin', 'acme'));
    users.setDisabled('demo', 'cy', true);
    const counts = () => ({
      all: users.countEnabledAdmins('demo'),
      butAnn: users.countEnabledAdmins('demo', 'ann'),
      butCy: users.countEnabledAdmins('demo', 'cy'),
      butDee: users.countEnabledAdmins('demo', 'dee'),
      butNobody: users.countEnabledAdmins('demo', 'nobody'),
    });
    expect(counts()).toEqual({ all: 2, butAnn: 1, butCy: 2, butDee: 2, butNobody: 2 });
    users.setRole('demo', 'bo', 'member');
    expect(counts()).toEqual({ all: 1, butAnn: 0, butCy: 1, butDee: 1, butNobody: 1 });
    expect(users.countEnabledAdmins('acme')).toBe(1);
    expect(users.countEnabledAdmins('acme', 'eve')).toBe(0);
    expect(users.countEnabledAdmins('nope')).toBe(0);
  });

  it('removes a user and their sign-in sessions', () => {
    const { users, sessions } = t.storage;
    users.addUser(newUser('bob'));
    const { id } = sessions.create('demo', 'bob', 60);
    expect(users.removeUser('demo', 'bob')).toBe(true);
    expect(users.getUser('demo', 'bob')).toBeUndefined();
    expect(sessions.get(id)).toBeUndefined();
    expect(users.removeUser('demo', 'bob')).toBe(false);
  });

  it('stores extra ACL rules, keeping only the known fields', () => {
    const users = t.storage.users;
    users.addUser(newUser('bob'));
    expect(users.extraRules('demo', 'bob')).toEqual([]);
    users.setExtraRules('demo', 'bob', [
      { permission: 'allow', action: 'subscribe', topic: 'devices/${username}/#', extra: 1 },
      { permission: 'deny', action: 'all', topic: 'chat/secret/+' },
    ]);
    expect(users.extraRules('demo', 'bob')).toEqual([
      { permission: 'allow', action: 'subscribe', topic: 'devices/${username}/#' },
      { permission: 'deny', action: 'all', topic: 'chat/secret/+' },
    ]);
  });

  const badRules: [string, unknown][] = [
    ['unknown permission', { permission: 'maybe', action: 'all', topic: 'a' }],
    ['unknown action', { permission: 'allow', action: 'read', topic: 'a' }],
    ['bad filter', { permission: 'allow', action: 'all', topic: 'a/#/b' }],
    ['not an object', 'allow all'],
  ];
  it.each(badRules)('refuses an extra rule with %s and keeps the old rules', (_name, rule) => {
    const users = t.storage.users;
    users.addUser(newUser('bob'));
    const kept = [{ permission: 'allow', action: 'all', topic: 'x/#' }];
    users.setExtraRules('demo', 'bob', kept);
    expect(codeOf(() => users.setExtraRules('demo', 'bob', [rule]))).toBe('invalid_rule');
    expect(users.extraRules('demo', 'bob')).toEqual(kept);
  });
});
