import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, isStorageError, openStorage } from '../../../src/server/storage';
import { SCHEMA_VERSION } from '../../../src/server/storage/migrations';
import type { ChatMessage } from '../../../src/shared/schemas';
import { UNREAD_CAP } from '../../../src/shared/unread-api';
import { openTempStorage, type TempStorage } from './temp-storage';

const msg = (id: string, from: string): ChatMessage => ({ id, from, text: id, sentAt: 1_000 });

describe('ReadPositionStore', () => {
  let t: TempStorage;
  const addUser = (user: string, org = 'demo') =>
    t.storage.users.addUser({ org, user, role: 'member', passwordHash: 'x' });
  const say = (room: string, id: string, from: string, org = 'demo') =>
    t.storage.history.record(org, room, msg(id, from));
  const unreadIds = (user: string, rooms: string[], org = 'demo') =>
    Object.fromEntries(
      t.storage.readPositions.unread(org, user, rooms).map((r) => [r.room, r.messageIds]),
    );

  /** What the database keeps of `user` (a second connection, as another process has). */
  const rowsOf = (user: string) => {
    const db = new Database(t.storage.file, { readonly: true });
    try {
      const count = (table: string) =>
        (
          db.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).get(user) as {
            n: number;
          }
        ).n;
      return { positions: count('read_positions'), baselines: count('read_baselines') };
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    t = openTempStorage();
    t.storage.users.addOrg('demo');
    t.storage.users.addOrg('acme');
    addUser('alice');
    addUser('bob');
  });
  afterEach(() => t.cleanup());

  it('counts messages from others after the position, newest first, and none of ours', () => {
    say('general', 'g1', 'bob');
    say('general', 'g2', 'alice');
    say('general', 'g3', 'bob');
    say('random', 'r1', 'bob');
    expect(t.storage.readPositions.unread('demo', 'alice', ['general', 'random', 'empty'])).toEqual(
      [
        { room: 'general', unread: 2, messageIds: ['g3', 'g1'] },
        { room: 'random', unread: 1, messageIds: ['r1'] },
        { room: 'empty', unread: 0, messageIds: [] },
      ],
    );

    expect(t.storage.readPositions.markRead('demo', 'alice', 'general', ['g1'])).toBe(true);
    expect(unreadIds('alice', ['general', 'random'])).toEqual({ general: ['g3'], random: ['r1'] });
    // Bob's position is his own.
    expect(unreadIds('bob', ['general'])).toEqual({ general: ['g2'] });
  });

  it('reads up to the newest of the messages named, and never moves back', () => {
    for (const id of ['g1', 'g2', 'g3', 'g4']) say('general', id, 'bob');
    const { readPositions } = t.storage;
    // The newest by history order, whatever the order named: unknown ids are passed over.
    expect(readPositions.markRead('demo', 'alice', 'general', ['g3', 'nope', 'g1'])).toBe(true);
    expect(unreadIds('alice', ['general'])).toEqual({ general: ['g4'] });
    expect(readPositions.markRead('demo', 'alice', 'general', ['g2'])).toBe(false);
    expect(readPositions.markRead('demo', 'alice', 'general', ['g3'])).toBe(false);
    expect(unreadIds('alice', ['general'])).toEqual({ general: ['g4'] });
    expect(readPositions.markRead('demo', 'alice', 'general', ['g4'])).toBe(true);
    expect(unreadIds('alice', ['general'])).toEqual({ general: [] });
  });

  it('refuses messages that are not in the room, and a list of none or too many', () => {
    say('general', 'g1', 'bob');
    say('general', 'a1', 'mallory', 'acme');
    const refusal = (ids: string[], room = 'general') => {
      try {
        t.storage.readPositions.markRead('demo', 'alice', room, ids);
      } catch (err) {
        return isStorageError(err) ? err.code : err;
      }
      return 'marked';
    };
    expect(refusal(['g1'], 'random')).toBe('not_found');
    expect(refusal(['a1'])).toBe('not_found'); // another org's
    expect(refusal(['g9'])).toBe('not_found');
    expect(refusal([])).toBe('invalid_argument');
    expect(refusal(Array.from({ length: 11 }, () => 'g1'))).toBe('invalid_argument');
    expect(unreadIds('alice', ['general'])).toEqual({ general: ['g1'] });
  });

  it(`counts at most ${UNREAD_CAP} per room`, () => {
    t.storage.transaction(() => {
      for (let n = 1; n <= UNREAD_CAP + 50; n++) say('general', `g${n}`, 'bob');
    });
    const [general] = t.storage.readPositions.unread('demo', 'alice', ['general']);
    expect(general?.unread).toBe(UNREAD_CAP);
    expect(general?.messageIds[0]).toBe(`g${UNREAD_CAP + 50}`);
    expect(general?.messageIds.at(-1)).toBe('g51');
  });

  it('counts from when the user was created, and a user created again under the id starts afresh', () => {
    say('general', 'before', 'bob');
    addUser('dave');
    say('general', 'after', 'bob');
    expect(unreadIds('dave', ['general'])).toEqual({ general: ['after'] });
    t.storage.readPositions.markRead('demo', 'dave', 'general', ['after']);
    say('general', 'later', 'bob');
    expect(unreadIds('dave', ['general'])).toEqual({ general: ['later'] });

    t.storage.users.removeUser('demo', 'dave');
    expect(rowsOf('dave')).toEqual({ positions: 0, baselines: 0 });
    say('general', 'while-gone', 'bob');
    addUser('dave');
    say('general', 'new', 'bob');
    // Neither the old position (which would count "later") nor the old baseline.
    expect(unreadIds('dave', ['general'])).toEqual({ general: ['new'] });
  });

  it('keeps orgs apart: the same user and room ids elsewhere are others', () => {
    addUser('alice', 'acme');
    say('general', 'g1', 'bob');
    say('general', 'a1', 'mallory', 'acme');
    t.storage.readPositions.markRead('demo', 'alice', 'general', ['g1']);
    expect(unreadIds('alice', ['general'], 'acme')).toEqual({ general: ['a1'] });
    expect(unreadIds('alice', ['general'])).toEqual({ general: [] });
  });

  it('counts, for users from before read positions existed, from the upgrade', () => {
    say('general', 'old', 'bob');
    t.storage.close();
    // Back to the schema before read positions, as a database of an older version is.
    const db = new Database(join(t.dir, DATABASE_FILE));
    db.exec(`DROP TRIGGER users_inserted_read_baseline;
             DROP TABLE read_positions; DROP TABLE read_baselines;`);
    db.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
    db.close();
    t.storage = openStorage(t.dir, { now: () => t.clock.now });
    try {
      say('general', 'new', 'bob');
      expect(unreadIds('alice', ['general'])).toEqual({ general: ['new'] });
    } finally {
      t.storage.close(); // cleanup() closes the storage it opened
    }
  });
});
