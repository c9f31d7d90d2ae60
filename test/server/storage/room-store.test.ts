import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStorage, StorageError } from '../../../src/server/storage';
import { downgradeSchema } from './older-schema';
import { openTempStorage, type TempStorage } from './temp-storage';

// The last version whose rooms had no name_key (migrations.ts).
const SCHEMA_BEFORE_NAME_KEYS = 10;

describe('RoomStore', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
    t.storage.users.addOrg('demo');
    t.storage.users.addOrg('acme');
  });
  afterEach(() => t.cleanup());

  it('adds rooms per org, named after their id unless given a name', () => {
    const { rooms } = t.storage;
    expect(rooms.add('demo', 'random')).toEqual({ id: 'random', name: 'random' });
    expect(rooms.add('demo', 'general', '  General chat ')).toEqual({
      id: 'general',
      name: 'General chat',
    });
    expect(rooms.list('demo')).toEqual([
      { id: 'general', name: 'General chat' },
      { id: 'random', name: 'random' },
    ]);
    expect(rooms.list('acme')).toEqual([]);
    expect(rooms.has('demo', 'general')).toBe(true);
    expect(rooms.has('acme', 'general')).toBe(false);
  });

  const refusals: [string, string, string, string | undefined, string][] = [
    ['bad id', 'demo', 'Général', undefined, 'invalid_id'],
    ['topic wildcard', 'demo', '#', undefined, 'invalid_id'],
    ['reserved id', 'demo', 'prototype', undefined, 'invalid_id'],
    ['blank name', 'demo', 'ok', '   ', 'invalid_name'],
    ['long name', 'demo', 'ok', 'n'.repeat(101), 'invalid_name'],
    ['a NUL in the name', 'demo', 'ok', 'ops\u0000', 'invalid_name'],
    ['a line break in the name', 'demo', 'ok', 'ops\nroom', 'invalid_name'],
    ['a right-to-left override', 'demo', 'ok', 'invoice\u202Efdp.exe', 'invalid_name'],
    ['a direction isolate', 'demo', 'ok', '\u2067ops', 'invalid_name'],
    ['nothing visible: zero-width spaces', 'demo', 'ok', '\u200B\u200B', 'invalid_name'],
    ['nothing visible: a Hangul filler', 'demo', 'ok', '\u3164', 'invalid_name'],
    ['a line separator', 'demo', 'ok', 'ops\u2028room', 'invalid_name'],
    // Kept as U+FFFD: the list would say "ops\uFFFD" of a room created as "ops\uD800".
    ['half a surrogate pair', 'demo', 'ok', 'ops\uD800', 'invalid_name'],
    ['the other half alone', 'demo', 'ok', '\uDE00ops', 'invalid_name'],
    ['unknown org', 'nope', 'ok', undefined, 'unknown_org'],
  ];
  it.each(refusals)('refuses %s', (_name, org, id, name, code) => {
    let error: unknown;
    try {
      t.storage.rooms.add(org, id, name);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe(code);
  });

  it('keeps names in any script, right-to-left ones and emoji included', () => {
    expect(t.storage.rooms.add('demo', 'ar', 'غرفة العمليات').name).toBe('غرفة العمليات');
    expect(t.storage.rooms.add('demo', 'party', '🎉 party').name).toBe('🎉 party');
  });

  it('refuses a room twice', () => {
    t.storage.rooms.add('demo', 'ops');
    expect(() => t.storage.rooms.add('demo', 'ops')).toThrow(/already exists/);
  });

  it('refuses a name another room of the org has, in any case or width; another org may', () => {
    t.storage.rooms.add('demo', 'launch', 'Launch');
    // Unseen characters do not make it another name (QA: `gen\u200Beral` showed as general).
    for (const name of [
      'launch',
      'LAUNCH',
      ' Launch ',
      '\uFF2Caunch',
      'Lau\u200Bnch',
      '\u2060launch\uFEFF',
    ]) {
      expect(() => t.storage.rooms.add('demo', 'launch-2', name)).toThrow(
        expect.objectContaining({ code: 'name_taken' }),
      );
    }
    expect(t.storage.rooms.add('demo', 'launch-2', 'Launch 2').name).toBe('Launch 2');
    expect(t.storage.rooms.add('acme', 'launch', 'Launch').name).toBe('Launch');
  });

  it('counts the rooms of each org', () => {
    expect(t.storage.rooms.count('demo')).toBe(0);
    t.storage.rooms.add('demo', 'ops');
    t.storage.rooms.add('demo', 'dev');
    t.storage.rooms.add('acme', 'ops');
    expect(t.storage.rooms.count('demo')).toBe(2);
    expect(t.storage.rooms.count('acme')).toBe(1);
    expect(t.storage.rooms.count('nope')).toBe(0);
  });

  it('holds one name per org in the database itself, not only in add()', () => {
    t.storage.rooms.add('demo', 'launch', 'Launch');
    t.storage.close();
    const db = new Database(join(t.dir, DATABASE_FILE));
    try {
      expect(() =>
        db
          .prepare(
            'INSERT INTO rooms (org_id, id, name, name_key, created_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run('demo', 'launch-2', 'LAUNCH', 'launch', 0),
      ).toThrow(/UNIQUE/);
    } finally {
      db.close();
    }
    t.storage = openStorage(t.dir, { now: () => t.clock.now });
  });

  it('gives the rooms of an older database their name keys, rooms named alike before names were compared kept', () => {
    t.storage.close();
    downgradeSchema(t.dir, SCHEMA_BEFORE_NAME_KEYS);
    // As an older version could write them: two rooms of demo named alike.
    const db = new Database(join(t.dir, DATABASE_FILE));
    const insert = db.prepare(
      'INSERT INTO rooms (org_id, id, name, created_at) VALUES (?, ?, ?, ?)',
    );
    insert.run('demo', 'launch', 'Launch', 1);
    insert.run('demo', 'launch-b', 'LAUNCH', 2);
    insert.run('demo', 'launch-c', '\uFF2Caunch', 3);
    insert.run('acme', 'launch', 'launch', 4);
    db.close();

    t.storage = openStorage(t.dir, { now: () => t.clock.now });
    const { rooms } = t.storage;
    expect(rooms.list('demo').map((room) => room.name)).toEqual([
      'Launch',
      'LAUNCH',
      '\uFF2Caunch',
    ]);
    // Their names are still taken, in any case or width, in their org alone.
    for (const name of ['launch', 'Launch ', '\uFF4C\uFF41unch']) {
      expect(() => rooms.add('demo', 'another', name)).toThrow(
        expect.objectContaining({ code: 'name_taken' }),
      );
    }
    expect(() => rooms.add('acme', 'another', 'LAUNCH')).toThrow(
      expect.objectContaining({ code: 'name_taken' }),
    );
    expect(rooms.add('demo', 'another', 'Launch 2').name).toBe('Launch 2');
  });
});
