import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/server/storage';
import { openTempStorage, type TempStorage } from './temp-storage';

// The log triggers write of users removed or disabled, whoever changed them (the CLI, the
// console, another process), for the server to catch up with in the broker.

let t: TempStorage;
beforeEach(() => {
  t = openTempStorage();
  t.storage.users.addOrg('demo');
});
afterEach(() => t.cleanup());

const addUser = (user: string, org = 'demo') =>
  t.storage.users.addUser({ org, user, role: 'member', passwordHash: 'hash' });

/** The whole log, as the server reads it, without seq and at. */
const logged = () =>
  t.storage.userChanges.after(0, 100).map(({ org, user, kind, createdAt }) => ({
    org,
    user,
    kind,
    createdAt,
  }));

describe('the user change log', () => {
  it('names a removed user with the removed row’s creation time, not a later one’s', () => {
    const old = addUser('eve');
    t.clock.now += 5;
    const before = Date.now();
    t.storage.users.removeUser('demo', 'eve');
    const renewed = addUser('eve');
    t.storage.users.removeUser('demo', 'eve');
    expect(logged()).toEqual([
      { org: 'demo', user: 'eve', kind: 'removed', createdAt: old.createdAt },
      { org: 'demo', user: 'eve', kind: 'removed', createdAt: renewed.createdAt },
    ]);
    expect(renewed.createdAt).toBeGreaterThan(old.createdAt);
    // By SQLite's clock: the storage's test clock is no part of a trigger.
    const [first] = t.storage.userChanges.after(0, 1);
    expect(first!.at).toBeGreaterThanOrEqual(before);
    expect(first!.at).toBeLessThanOrEqual(Date.now());
  });

  it('names a user disabled, once until enabled again; no other change', () => {
    const { createdAt } = addUser('eve');
    const { users } = t.storage;
    users.setRole('demo', 'eve', 'admin');
    users.setPassword('demo', 'eve', 'hash-2');
    users.setExtraRules('demo', 'eve', []);
    users.setDisabled('demo', 'eve', false); // enabled already
    expect(logged()).toEqual([]);
    users.setDisabled('demo', 'eve', true);
    users.setDisabled('demo', 'eve', true); // disabled already
    users.setDisabled('demo', 'eve', false);
    expect(logged()).toEqual([{ org: 'demo', user: 'eve', kind: 'disabled', createdAt }]);
    users.setDisabled('demo', 'eve', true);
    expect(logged()).toHaveLength(2);
  });

  it('names every user of an org deleted, whose users go by ON DELETE CASCADE', () => {
    // No command removes an org yet; one that does, in any process, is logged all the same.
    t.storage.users.addOrg('acme');
    const users = [addUser('ann', 'acme'), addUser('bo', 'acme')];
    addUser('eve');
    const other = new Database(join(t.dir, DATABASE_FILE));
    try {
      other.pragma('foreign_keys = ON');
      other.prepare('DELETE FROM orgs WHERE id = ?').run('acme');
    } finally {
      other.close();
    }
    expect(logged()).toEqual(
      users.map(({ user, createdAt }) => ({ org: 'acme', user, kind: 'removed', createdAt })),
    );
  });

  it('reads in order after a cursor, at most a limit, and deletes only the entries given', () => {
    for (const user of ['a', 'b', 'c', 'd']) {
      addUser(user);
      t.storage.users.removeUser('demo', user);
    }
    const { userChanges } = t.storage;
    const all = userChanges.after(0, 10);
    expect(all.map((change) => change.user)).toEqual(['a', 'b', 'c', 'd']);
    const [a, b, c, d] = all.map((change) => change.seq) as [number, number, number, number];
    expect(userChanges.after(a, 2).map((change) => change.user)).toEqual(['b', 'c']);
    userChanges.remove([a, c, d]);
    expect(userChanges.after(0, 10).map((change) => change.seq)).toEqual([b]);
    // A seq is never handed out again, even once the newest entries are gone.
    addUser('e');
    t.storage.users.removeUser('demo', 'e');
    expect(userChanges.after(0, 10).map((change) => change.seq)).toEqual([b, d + 1]);
  });
});
