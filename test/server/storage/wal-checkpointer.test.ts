import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../../src/server/storage';
import {
  startWalCheckpointer,
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

const walBytes = (t: TempStorage) => statSync(`${t.storage.file}-wal`).size;

describe('the WAL checkpointer', () => {
  let t: TempStorage;
  afterEach(() => t.cleanup());

  it('takes the checkpoints off the writing connection', () => {
    t = openTempStorage();
    writeHistory(t, 8);
    // The commits checkpointed the log and SQLite reused it from the start.
    expect(walBytes(t)).toBeLessThan(1.5 * AUTO_CHECKPOINT_PAGES * PAGE_BYTES);

    expect(t.storage.autoCheckpoint(false)).toBe(false);
    writeHistory(t, 8, 100_000);
    expect(walBytes(t)).toBeGreaterThan(1.5 * AUTO_CHECKPOINT_PAGES * PAGE_BYTES);
  });

  it('checkpoints the log from its own connection, and everything stays', async () => {
    t = openTempStorage();
    t.storage.autoCheckpoint(false);
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

  it('is how the server checkpoints, its commits no longer', async () => {
    t = openTempStorage(); // for afterEach
    const server = await startTestServer();
    try {
      // Long enough for a worker that cannot start to say so (the server then turns the
      // commits' checkpoints back on, which this would see).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server.storage.autoCheckpoint()).toBe(false);
    } finally {
      await server.cleanup();
    }
  });
});
