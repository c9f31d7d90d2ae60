import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** How often the database's write-ahead log is copied back into it. */
export const CHECKPOINT_EVERY_MS = 1_000;

export interface CheckpointResult {
  /** Frames in the write-ahead log, and how many of them are now in the database. */
  log: number;
  checkpointed: number;
}

export interface WalCheckpointer {
  /** Waits for a checkpoint in progress, then closes the worker's connection. */
  stop(): Promise<void>;
}

// A worker of its own, with its own connection, runs SQLite's PASSIVE checkpoints: they
// copy what the log holds into the database file and sync it, without blocking the
// connection that writes. SQLite's automatic checkpoint runs inside the commit that
// fills the log to 1,000 pages, on the event loop: 13-16 ms every few seconds under a
// busy chat, and once 306 ms when the disk was busy (bench:page's server). Plain
// JavaScript: it is evaluated as the worker's script, whatever loads the server's
// TypeScript.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const describe = (error) => String((error && error.message) || error);
let db = null;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
} catch (error) {
  parentPort.postMessage({ fatal: describe(error) });
  parentPort.close(); // nothing else keeps the thread: it ends once the message is out
}
if (db) {
  const timer = setInterval(() => {
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ result: { log: result.log, checkpointed: result.checkpointed } });
    } catch (error) {
      parentPort.postMessage({ error: describe(error) });
    }
  }, workerData.everyMs);
  parentPort.on('message', () => {
    clearInterval(timer);
    db.close();
    parentPort.close();
  });
}
`;

/**
 * Checkpoints `file` (a database in WAL mode whose writer has turned automatic checkpoints
 * off) from a worker thread. `onError` hears of a checkpoint that failed (the next one
 * tries again); `onStopped` of a worker that ended by itself, after which nothing
 * checkpoints the log unless the writer takes it back; `onResult` of each checkpoint.
 */
export function startWalCheckpointer(
  file: string,
  options: {
    everyMs?: number;
    onError(error: Error): void;
    onStopped(error: Error): void;
    onResult?(result: CheckpointResult): void;
  },
): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      driver: require.resolve('better-sqlite3'),
      everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS,
    },
  });
  let stopping = false;
  let failure: Error | null = null;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: { result?: CheckpointResult; error?: string; fatal?: string }) => {
    if (message.result) options.onResult?.(message.result);
    else if (message.fatal)
      failure = new Error(`WAL checkpointer could not start: ${message.fatal}`);
    else options.onError(new Error(`WAL checkpoint failed: ${message.error}`));
  });
  // What a worker throws reaches here structured-cloned: an SqliteError as a plain object.
  worker.on('error', (error: unknown) => {
    failure =
      error instanceof Error ? error : new Error(`WAL checkpointer failed: ${String(error)}`);
  });
  worker.on('exit', (code) => {
    if (stopping) return;
    options.onStopped(failure ?? new Error(`WAL checkpointer ended (exit code ${code})`));
  });
  worker.unref();
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.postMessage('stop');
      await exited;
    },
  };
}
