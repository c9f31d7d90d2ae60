import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/server/storage';
import { migrate, SCHEMA_VERSION } from '../../../src/server/storage/migrations';

// A server and the CLI may open (and so upgrade) one data dir at the same moment, each with
// its own connection. The second must wait for the first's migrations, then find the
// schema current, not apply the same migrations again.

const REPO_ROOT = path.join(import.meta.dirname, '../../..');
const CHILD_TIMEOUT_MS = 30_000;
// From "opening" to reading the version is a few synchronous statements.
const CHILD_READS_VERSION_WITHIN_MS = 300;

// Another process (the CLI) opening the data dir, as `npm run cli` does.
const OPEN_STORAGE = `
  import { openStorage } from './src/server/storage/index.ts';
  const dataDir = process.argv.at(-1);
  console.log('opening');
  try {
    const storage = openStorage(dataDir);
    storage.close();
    console.log('opened');
  } catch (error) {
    console.log('failed: ' + error.message);
  }
`;

function openInAnotherProcess(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', OPEN_STORAGE, dataDir],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS },
  );
  let out = '';
  let onOpening = () => {};
  const opening = new Promise<void>((resolve) => (onOpening = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('opening')) onOpening();
  });
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(out));
  });
  return { opening, exited };
}

describe('migrate', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a second process wait for the first one’s migrations, then find them done', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sb-migrate-'));
    const first = new Database(path.join(dir, DATABASE_FILE));
    first.pragma('journal_mode = WAL');
    // The first (the server) has started upgrading: it holds the write lock.
    first.exec('BEGIN IMMEDIATE');
    const second = openInAnotherProcess(dir);
    await second.opening;
    await new Promise((resolve) => setTimeout(resolve, CHILD_READS_VERSION_WITHIN_MS));
    migrate(first);
    first.exec('COMMIT');

    expect((await second.exited).trim().split('\n')).toEqual(['opening', 'opened']);
    expect(first.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    first.close();
  });
});
