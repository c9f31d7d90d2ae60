import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { spawnTsx } from '../../e2e/support/child-process';
import { DATABASE_FILE, openStorage } from '../../../src/server/storage';

// What `npm run cli` refuses before any command runs, with its code (README: CLI errors).
// A DATA_DIR with no data (no_data) and a configuration refused (invalid_config) are in
// test/server/start.test.ts.

describe('npm run cli on the data of a newer version', () => {
  it('refuses it with schema_too_new, exit status 1, and writes nothing', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-cli-'));
    try {
      const file = path.join(dataDir, DATABASE_FILE);
      const db = new Database(file);
      db.pragma('user_version = 9999');
      db.close();
      const cli = spawnTsx('src/server/cli/main.ts', ['org', 'add', 'acme'], { DATA_DIR: dataDir });
      await cli.exited();
      expect(cli.child.exitCode, cli.output()).toBe(1);
      expect(cli.output()).toMatch(/^error\[schema_too_new\]: /m);
      const after = new Database(file, { readonly: true });
      expect(after.pragma('user_version', { simple: true })).toBe(9999);
      after.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm run cli -- room add', () => {
  it('is limited by MAX_ROOMS_PER_ORG as its environment sets it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-cli-'));
    try {
      const storage = openStorage(dataDir);
      storage.users.addOrg('acme');
      storage.rooms.add('acme', 'ops');
      storage.close();
      const cli = spawnTsx('src/server/cli/main.ts', ['room', 'add', 'acme', 'design'], {
        DATA_DIR: dataDir,
        MAX_ROOMS_PER_ORG: '1',
      });
      await cli.exited();
      expect(cli.child.exitCode, cli.output()).toBe(1);
      expect(cli.output()).toMatch(/^error\[room_limit_reached\]: the org has 1 rooms/m);
      const after = openStorage(dataDir);
      expect(after.rooms.list('acme')).toEqual([{ id: 'ops', name: 'ops' }]);
      after.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
