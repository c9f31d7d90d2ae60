import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStorage } from '../../../src/server/storage';
import {
  MAX_FAILURES_IN_A_ROW,
  startWalCheckpointer,
  WRITER_CHECKPOINT_PAGES,
  type CheckpointResult,
} from '../../../src/server/storage/wal-checkpointer';
import { eventually } from '../support/eventually';
import { startTestServer } from '../support/test-server';
import { openTempStorage, type TempStorage } from './temp-storage';

const PAGE_BYTES = 4_096;
const AUTO_CHECKPOINT_PAGES = 1_000; // SQLite's default
const TEXT = 'x'.repeat(1_000);

/** Writes about `megabytes` of chat history, a transaction of 50 messages at a time. */
function writeHistory(t: TempStorage, megabytes: number, from = 0): number {
  const count = Math.ceil((megabytes * 1_000_000) / TEXT.length);
  for (let start = 0; start < count; start += 50) {
    t.storage.transaction(() => {
      for (let i = start; i < Math.min(count, start + 50); i++) {
        const id = `m-${from + i}`;
        t.storage.history.record('demo', 'general', { id, from: 'bob', text: TEXT, sentAt: i });
      }
    });
  }
  return count;
}

/**
 * A database in `dir` held by a connection in exclusive locking mode, which keeps it from
 * its first write on: every checkpoint another connection tries fails (SQLITE_BUSY) until
 * it lets go (`locking_mode = NORMAL`, then a transaction).
 */
function holdExclusively(dir: string): Database.Database {
  const holder = new Database(join(dir, 'held.db'));
  holder.pragma('journal_mode = WAL');
  holder.exec('CREATE TABLE t (x)');
  holder.pragma('locking_mode = EXCLUSIVE');
  holder.exec('INSERT INTO t VALUES (1)');
  return holder;
}

/** A checkpointer of `file` every `everyMs`, waiting 10 ms for locks, and what it reports. */
function watchCheckpoints(file: string, everyMs: number) {
  const errors: Error[] = [];
  const stopped: Error[] = [];
  const results: CheckpointResult[] = [];
  const checkpointer = startWalCheckpointer(file, {
    everyMs,
    lockWaitMs: 10,
    onResult: (result) => results.push(result),
    onError: (error) => errors.push(error),
    onStopped: (error) => stopped.push(error),
  });
  return { checkpointer, errors, stopped, results };
}

const walBytes = (t: TempStorage) => statSync(`${t.storage.file}-wal`).size;

describe('the WAL checkpointer', () => {
  let t: TempStorage;
  afterEach(() => t.cleanup());

  it('takes the checkpoints off the writing connection', () => {
    t = openTempStorage();
    writeHistory(t, 8);
    // The commits checkpointed the log and SQLite reused it from the start.
    expect(walBytes(t)).toBeLessThan(1.5 * AUTO_CHECKPOINT_PAGES * PAGE_BYTES);

    expect(t.storage.autoCheckpoint(0)).toBe(0);
    writeHistory(t, 8, 100_000);
    expect(walBytes(t)).toBeGreaterThan(1.5 * AUTO_CHECKPOINT_PAGES * PAGE_BYTES);
  });

  it('checkpoints the log from its own connection, and everything stays', async () => {
    t = openTempStorage();
    t.storage.autoCheckpoint(0);
    const results: CheckpointResult[] = [];
    const errors: Error[] = [];
    const checkpointer = startWalCheckpointer(t.storage.file, {
      everyMs: 20,
      onResult: (result) => results.push(result),
      onError: (error) => errors.push(error),
      onStopped: (error) => errors.push(error),
    });
    try {
      const written = writeHistory(t, 6);
      await eventually(
        () => results.some((r) => r.log > AUTO_CHECKPOINT_PAGES && r.checkpointed === r.log),
        10_000,
        'a checkpoint of the whole log',
      );
      expect(t.storage.history.count('demo', 'general')).toBe(written);
    } finally {
      await checkpointer.stop();
    }
    expect(errors).toEqual([]);

    // Closed after the worker, the writer is the last connection: it removes the log.
    const { dir } = t;
    t.storage.close();
    expect(existsSync(join(dir, 'switchboard.db-wal'))).toBe(false);
    t.storage = openStorage(dir);
    expect(t.storage.history.count('demo', 'general')).toBeGreaterThan(0);
  });

  it('says so when its worker cannot start, so that the writer takes checkpoints back', async () => {
    t = openTempStorage();
    const stopped: Error[] = [];
    startWalCheckpointer(join(t.dir, 'missing.db'), {
      onError: () => {},
      onStopped: (error) => stopped.push(error),
    });
    await eventually(() => stopped.length === 1, 5_000, 'the worker to stop');
    expect(stopped[0]?.message).toMatch(/unable to open database file/);
  });

  it('gives the checkpoints back after five failures in a row, reporting the first', async () => {
    t = openTempStorage(); // for its directory
    const holder = holdExclusively(t.dir);
    const { checkpointer, errors, stopped, results } = watchCheckpoints(holder.name, 20);
    try {
      await eventually(() => stopped.length === 1, 5_000, 'the worker to give up');
      expect(stopped[0]?.message).toBe(
        `WAL checkpointer stopped: ${MAX_FAILURES_IN_A_ROW} checkpoints failed in a row: SQLITE_BUSY: database is locked`,
      );
      expect(errors.map((error) => error.message)).toEqual([
        'WAL checkpoint failed: SQLITE_BUSY: database is locked',
      ]);
      expect(results).toEqual([]);
      await checkpointer.stop(); // the worker has ended: stopping it only waits for that
    } finally {
      await checkpointer.stop();
      holder.close();
    }
  });

  it('carries on when the lock is let go before the fifth failure', async () => {
    t = openTempStorage();
    const holder = holdExclusively(t.dir);
    // Five failures take over a second: time enough to let go.
    const { checkpointer, errors, stopped, results } = watchCheckpoints(holder.name, 250);
    try {
      await eventually(() => errors.length === 1, 5_000, 'a failed checkpoint');
      holder.pragma('locking_mode = NORMAL');
      holder.exec('INSERT INTO t VALUES (2)'); // the lock goes with this transaction
      await eventually(() => results.length >= 3, 5_000, 'checkpoints again');
    } finally {
      await checkpointer.stop();
      holder.close();
    }
    expect(stopped).toEqual([]);
  });

  it('keeps the log short while a writer never stops, with the writer as a backstop', async () => {
    t = openTempStorage();
    const backstopPages = 200;
    t.storage.autoCheckpoint(backstopPages);
    const results: CheckpointResult[] = [];
    const checkpointer = startWalCheckpointer(t.storage.file, {
      everyMs: 20,
      onResult: (result) => results.push(result),
      onError: () => {},
      onStopped: () => {},
    });
    let written = 0;
    let longestLog = 0;
    try {
      // Commits every 2 ms for a second and a half: the worker's checkpoints always
      // overlap one, so only the backstop lets the log start over.
      const started = Date.now();
      while (Date.now() - started < 1_500) {
        t.storage.transaction(() => {
          for (let k = 0; k < 5; k++) {
            const id = `m-${written++}`;
            t.storage.history.record('demo', 'general', { id, from: 'bob', text: TEXT, sentAt: 1 });
          }
        });
        longestLog = Math.max(longestLog, walBytes(t));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } finally {
      await checkpointer.stop();
    }
    expect(results.length).toBeGreaterThan(0);
    expect(longestLog).toBeLessThan(2 * backstopPages * PAGE_BYTES);
    expect(t.storage.history.count('demo', 'general')).toBe(written);
  });

  it('keeps the process up until its worker has closed, so the writer closes last', async () => {
    // The child's database goes in a directory of the test's own, removed whatever the
    // child does (it made its own, and left one behind each run).
    const dir = await mkdtemp(join(tmpdir(), 'sb-wal-'));
    const script = `
      import { existsSync } from 'node:fs';
      import { openStorage } from './src/server/storage/index.ts';
      import { startWalCheckpointer } from './src/server/storage/wal-checkpointer.ts';
      const storage = openStorage(process.env.SB_WAL_DIR);
      storage.autoCheckpoint(0);
      storage.history.record('demo', 'general', { id: 'm', from: 'bob', text: 'hi', sentAt: 1 });
      const checkpointer = startWalCheckpointer(storage.file, {
        onError: () => {},
        onStopped: (error) => console.log('stopped by itself', error.message),
      });
      await checkpointer.stop(); // nothing else keeps this process up meanwhile
      storage.close();
      console.log('closed; log left:', existsSync(storage.file + '-wal'));
    `;
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', script],
        {
          cwd: join(import.meta.dirname, '../../..'),
          env: { ...process.env, SB_WAL_DIR: dir },
          timeout: 20_000,
        },
      );
      expect(stdout.trim()).toBe('closed; log left: false');
      expect(readdirSync(dir)).toContain('switchboard.db'); // the child's, in this directory
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is how the server checkpoints, its commits no longer', async () => {
    t = openTempStorage(); // for afterEach
    const server = await startTestServer();
    try {
      // Long enough for a worker that cannot start to say so (the server then turns the
      // commits' checkpoints back on, which this would see).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server.storage.autoCheckpoint()).toBe(WRITER_CHECKPOINT_PAGES);
    } finally {
      await server.cleanup();
    }
  });
});
