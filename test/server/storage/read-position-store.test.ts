import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStorageError, openStorage } from '../../../src/server/storage';
import type { ChatMessage } from '../../../src/shared/schemas';
import { UNREAD_CAP } from '../../../src/shared/unread-api';
import { downgradeSchema } from './older-schema';
import { openTempStorage, type TempStorage } from './temp-storage';

// migrations.ts: the sixth migration added read positions.
const SCHEMA_BEFORE_READ_POSITIONS = 5;

const msg = (id: string, from: string): ChatMessage => ({ id, from, text: id, sentAt: 1_000 });

describe('ReadPositionStore', () => {
  let t: TempStorage;
  const addUser = (user: string, org = 'demo') =>
    t.storage.users.addUser({ org, user, role: 'member', passwordHash: 'x' });
  const say = (room: string, id: string, from: string, org = 'demo') =>
    t.storage.history.record(org, room, msg(id, from));
  const unread = (user: string, rooms: string[], org = 'demo') =>
    Object.fromEntries(
      t.storage.readPositions.unread(org, user, rooms).rooms.map((r) => [r.room, r.unread]),
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

  it('counts messages from others after the position, and none of ours, as of the clock', () => {
    say('general', 'g1', 'bob');
    say('general', 'g2', 'alice');
    say('general', 'g3', 'bob');
    say('random', 'r1', 'bob');
    t.clock.now += 1_234.5;
    expect(t.storage.readPositions.unread('demo', 'alice', ['general', 'random', 'empty'])).toEqual(
      {
        asOf: Math.trunc(t.clock.now),
        rooms: [
          { room: 'general', unread: 2 },
          { room: 'random', unread: 1 },
          { room: 'empty', unread: 0 },
        ],
      },
    );

    expect(t.storage.readPositions.markRead('demo', 'alice', 'general', ['g1'])).toBe(true);
    expect(unread('alice', ['general', 'random'])).toEqual({ general: 1, random: 1 });
    // Bob's position is his own.
    expect(unread('bob', ['general'])).toEqual({ general: 1 });
    expect(t.storage.readPositions.markRead('demo', 'bob', 'general', ['g3'])).toBe(true);
    expect(unread('bob', ['general'])).toEqual({ general: 0 });
    expect(unread('alice', ['general'])).toEqual({ general: 1 });
  });

  it('reads up to the newest of the messages named, and never moves back', () => {
    for (const id of ['g1', 'g2', 'g3', 'g4']) say('general', id, 'bob');
    const { readPositions } = t.storage;
    // The newest by history order, whatever the order named: unknown ids are passed over.
    expect(readPositions.markRead('demo', 'alice', 'general', ['g3', 'nope', 'g1'])).toBe(true);
    expect(unread('alice', ['general'])).toEqual({ general: 1 }); // g4
    expect(readPositions.markRead('demo', 'alice', 'general', ['g2'])).toBe(false);
    expect(readPositions.markRead('demo', 'alice', 'general', ['g3'])).toBe(false);
    expect(unread('alice', ['general'])).toEqual({ general: 1 });
    expect(readPositions.markRead('demo', 'alice', 'general', ['g4'])).toBe(true);
    expect(unread('alice', ['general'])).toEqual({ general: 0 });
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
    expect(unread('alice', ['general'])).toEqual({ general: 1 });
  });

  it(`counts at most ${UNREAD_CAP} per room, of others', passing over ours`, () => {
    t.storage.transaction(() => {
      for (let n = 1; n <= UNREAD_CAP + 50; n++) {
        say('general', `g${n}`, 'bob');
        say('general', `own${n}`, 'alice');
      }
    });
    expect(unread('alice', ['general'])).toEqual({ general: UNREAD_CAP });
    // Up to g101: bob's 49 after it count, her 50 after it do not.
    t.storage.readPositions.markRead('demo', 'alice', 'general', ['g101']);
    expect(unread('alice', ['general'])).toEqual({ general: 49 });
    t.storage.readPositions.markRead('demo', 'alice', 'general', [`g${UNREAD_CAP + 50}`]);
    expect(unread('alice', ['general'])).toEqual({ general: 0 });
  });

  it('counts from the index alone, never reading the table (EXPLAIN QUERY PLAN)', () => {
    // The statement read-position-store.ts prepares: 1,000 rooms of unread stay quick.
    const db = new Database(t.storage.file, { readonly: true });
    try {
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT count(*) AS n FROM (
             SELECT 1 FROM messages
             WHERE org_id = ? AND room_id = ? AND seq > ? AND sender <> ?
             LIMIT ?
           )`,
        )
        .all('demo', 'general', 0, 'alice', UNREAD_CAP) as { detail: string }[];
      expect(plan.map((row) => row.detail)).toContain(
        'SEARCH messages USING COVERING INDEX messages_room_seq_sender (org_id=? AND room_id=? AND seq>?)',
      );
    } finally {
      db.close();
    }
  });

  it('counts from when the user was created, and a user created again under the id starts afresh', () => {
    say('general', 'before', 'bob');
    addUser('dave');
    say('general', 'after', 'bob');
    expect(unread('dave', ['general'])).toEqual({ general: 1 }); // after
    t.storage.readPositions.markRead('demo', 'dave', 'general', ['after']);
    say('general', 'later', 'bob');
    expect(unread('dave', ['general'])).toEqual({ general: 1 });

    t.storage.users.removeUser('demo', 'dave');
    expect(rowsOf('dave')).toEqual({ positions: 0, baselines: 0 });
    say('general', 'while-gone', 'bob');
    addUser('dave');
    say('general', 'new', 'bob');
    // Neither the old position (which would count "later") nor the old baseline.
    expect(unread('dave', ['general'])).toEqual({ general: 1 }); // new
  });

  it('keeps orgs apart: the same user and room ids elsewhere are others', () => {
    addUser('alice', 'acme');
    say('general', 'g1', 'bob');
    say('general', 'a1', 'mallory', 'acme');
    t.storage.readPositions.markRead('demo', 'alice', 'general', ['g1']);
    expect(unread('alice', ['general'], 'acme')).toEqual({ general: 1 });
    expect(unread('alice', ['general'])).toEqual({ general: 0 });
  });

  it('counts, for users from before read positions existed, from the upgrade', () => {
    say('general', 'old', 'bob');
    t.storage.close();
    // Back to the schema before read positions, as a database of an older version is.
    downgradeSchema(t.dir, SCHEMA_BEFORE_READ_POSITIONS);
    t.storage = openStorage(t.dir, { now: () => t.clock.now });
    try {
      say('general', 'new', 'bob');
      expect(unread('alice', ['general'])).toEqual({ general: 1 }); // new
    } finally {
      t.storage.close(); // cleanup() closes the storage it opened
    }
  });
});
