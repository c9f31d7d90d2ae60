import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStorage, StorageError } from '../../../src/server/storage';
import { SCHEMA_VERSION } from '../../../src/server/storage/migrations';
import { openTempStorage, type TempStorage } from './temp-storage';

describe('openStorage', () => {
  let t: TempStorage;
  afterEach(() => t.cleanup());

  it('creates one WAL database file at the current schema version', () => {
    t = openTempStorage();
    const file = join(t.dir, DATABASE_FILE);
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThan(0);
    db.close();
  });

  it('keeps its data across a reopen and does not re-run migrations', () => {
    t = openTempStorage();
    t.storage.users.addOrg('demo');
    t.storage.close();
    const reopened = openStorage(t.dir);
    expect(reopened.users.listOrgs()).toEqual(['demo']);
    t.storage = reopened;
  });

  it('refuses a database written by a newer version', () => {
    t = openTempStorage();
    t.storage.close();
    const db = new Database(join(t.dir, DATABASE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openStorage(t.dir)).toThrow(StorageError);
    try {
      openStorage(t.dir);
    } catch (err) {
      expect((err as StorageError).code).toBe('schema_too_new');
    }
    // Leave a usable handle for cleanup.
    const reset = new Database(join(t.dir, DATABASE_FILE));
    reset.pragma(`user_version = ${SCHEMA_VERSION}`);
    reset.close();
    t.storage = openStorage(t.dir);
  });

  it('creates the data directory when missing', () => {
    t = openTempStorage();
    const nested = join(t.dir, 'a', 'b');
    const s = openStorage(nested);
    expect(existsSync(join(nested, DATABASE_FILE))).toBe(true);
    s.close();
  });
});
