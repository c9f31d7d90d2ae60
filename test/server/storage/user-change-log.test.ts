import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStorage } from '../../../src/server/storage';
import { downgradeSchema } from './older-schema';
import { openTempStorage, type TempStorage } from './temp-storage';

// migrations.ts: the ninth migration let the log name role changes.
const SCHEMA_BEFORE_ROLE_CHANGES = 8;

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

  it('is written by an SQLite older than 3.42 too (the sqlite3 shell of Debian 12)', () => {
    addUser('eve');
    addUser('bo');
    // As 3.40 does: unixepoch knows no 'subsec', and gives NULL. Functions the application
    // defines take the place of SQLite's own, in triggers too.
    const older = new Database(join(t.dir, DATABASE_FILE));
    try {
      older.function('unixepoch', { varargs: true }, (...args: unknown[]) =>
        args.includes('subsec') ? null : Math.floor(Date.now() / 1_000),
      );
      const before = Date.now();
      older.prepare('UPDATE users SET disabled = 1 WHERE user_id = ?').run('bo');
      older.prepare('DELETE FROM users WHERE user_id = ?').run('eve');
      const after = Date.now();
      const changes = t.storage.userChanges.after(0, 10);
      expect(changes.map(({ user, kind }) => `${kind} ${user}`)).toEqual([
        'disabled bo',
        'removed eve',
      ]);
      for (const { at } of changes) {
        expect(at).toBeGreaterThanOrEqual(before);
        expect(at).toBeLessThanOrEqual(after);
      }
    } finally {
      older.close();
    }
  });

  it('names a user disabled, once until enabled again; no other change', () => {
    const { createdAt } = addUser('eve');
    const { users } = t.storage;
    users.setRole('demo', 'eve', 'member'); // the role they have
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

  it('names a user given another role, at each change, not the role they have already', () => {
    const { createdAt } = addUser('eve');
    const { users } = t.storage;
    users.setRole('demo', 'eve', 'agent');
    users.setRole('demo', 'eve', 'agent');
    users.setRole('demo', 'eve', 'admin');
    const role = { org: 'demo', user: 'eve', kind: 'role', createdAt };
    expect(logged()).toEqual([role, role]);
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

describe('the user change log of a database from before role changes were logged', () => {
  /** Closes the storage, takes its database back to that schema, and opens (upgrades) it. */
  const upgradeFromBefore = () => {
    t.storage.close();
    downgradeSchema(t.dir, SCHEMA_BEFORE_ROLE_CHANGES);
    t.storage = openStorage(t.dir, { now: () => t.clock.now });
  };
  const sql = (query: string) => {
    const db = new Database(join(t.dir, DATABASE_FILE), { readonly: true });
    try {
      return db.prepare(query).pluck().all();
    } finally {
      db.close();
    }
  };

  it('keeps its entries and their seqs, and hands out none of those seqs again', () => {
    for (const user of ['a', 'b', 'c', 'd']) addUser(user);
    t.storage.users.removeUser('demo', 'a');
    t.storage.users.setDisabled('demo', 'b', true);
    t.storage.users.removeUser('demo', 'c');
    const before = t.storage.userChanges.after(0, 10);
    const highest = before.at(-1)!.seq;
    // The newest caught up with: the highest seq handed out is no longer in the table.
    t.storage.userChanges.remove([highest]);
    upgradeFromBefore();
    expect(t.storage.userChanges.after(0, 10)).toEqual(before.slice(0, -1));
    t.storage.users.setRole('demo', 'd', 'admin');
    const [, , role] = t.storage.userChanges.after(0, 10);
    expect(role).toMatchObject({ user: 'd', kind: 'role' });
    expect(role!.seq).toBe(highest + 1);
    // Looked up by user, as pruning the connection notes does.
    expect(sql("SELECT name FROM sqlite_master WHERE tbl_name = 'user_changes'")).toContain(
      'user_changes_user',
    );
  });

  it('is written by its triggers after the upgrade: removed, disabled and role', () => {
    const a = addUser('a');
    const b = addUser('b');
    const c = addUser('c');
    upgradeFromBefore();
    expect(logged()).toEqual([]);
    t.storage.users.removeUser('demo', 'a');
    t.storage.users.setDisabled('demo', 'b', true);
    t.storage.users.setRole('demo', 'c', 'service');
    expect(logged()).toEqual([
      { org: 'demo', user: 'a', kind: 'removed', createdAt: a.createdAt },
      { org: 'demo', user: 'b', kind: 'disabled', createdAt: b.createdAt },
      { org: 'demo', user: 'c', kind: 'role', createdAt: c.createdAt },
    ]);
    const triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'users'";
    expect(sql(`${triggers} ORDER BY name`)).toEqual([
      'users_deleted',
      'users_deleted_logged',
      'users_disabled_logged',
      'users_inserted_read_baseline',
      'users_role_logged',
      'users_updated',
    ]);
  });

  it('still refuses a kind it does not know', () => {
    upgradeFromBefore();
    const db = new Database(join(t.dir, DATABASE_FILE));
    try {
      const insert = db.prepare(
        "INSERT INTO user_changes (org_id, user_id, kind, created_at, at) VALUES ('demo', 'x', ?, 0, 0)",
      );
      expect(() => insert.run('renamed')).toThrow(/CHECK constraint failed/);
      insert.run('role');
    } finally {
      db.close();
    }
  });
});
