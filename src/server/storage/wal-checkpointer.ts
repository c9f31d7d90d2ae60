import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS } from './index';

const require = createRequire(import.meta.url);

/** How often the worker copies the write-ahead log back into the database. */
export const CHECKPOINT_EVERY_MS = 1_000;
/**
 * The writer's own checkpoint, kept as a backstop at this many pages of log (SQLite's
 * default is 1,000). The worker's checkpoints run while commits go on, so the log is
 * never found fully copied at the start of a commit, and SQLite only starts it over
 * then: with the worker alone a steady writer grew it past 100 MB. When the log reaches
 * this length, a commit checkpoints what the worker has not copied yet (at most about a
 * second of writes) and the next commit starts the log over.
 */
export const WRITER_CHECKPOINT_PAGES = 10_000;
/** Failed checkpoints in a row after which the worker gives the checkpoints back. */
export const MAX_FAILURES_IN_A_ROW = 5;

export interface CheckpointResult {
  /** Frames in the write-ahead log, and how many of them are now in the database. */
  log: number;
  checkpointed: number;
}

export interface WalCheckpointer {
  /** Waits for a checkpoint in progress, then closes the worker's connection. */
  stop(): Promise<void>;
}

// A worker with its own connection runs SQLite's PASSIVE checkpoints: they copy what the
// log holds into the database file and sync it, without blocking the connection that
// writes. SQLite's automatic checkpoint runs inside the commit that fills the log to
// 1,000 pages, on the event loop: 13-16 ms every few seconds under a busy chat, and once
// 306 ms when the disk was busy (bench:page's server). Plain JavaScript, evaluated as the
// worker's script, without the server's loaders (execArgv).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const describe = (error) => [error && error.code, String((error && error.message) || error)]
  .filter(Boolean)
  .join(': ');
let db = null;
try {
  db = new Database(workerData.file, { fileMustExist: true, timeout: workerData.lockWaitMs });
} catch (error) {
  parentPort.postMessage({ fatal: describe(error) });
  parentPort.close(); // nothing else keeps the thread: it ends once the message is out
}
if (db) {
  let failures = 0;
  const stop = () => {
    clearInterval(timer);
    db.close();
    parentPort.close();
  };
  const timer = setInterval(() => {
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      failures = 0;
      parentPort.postMessage({ result: { log: result.log, checkpointed: result.checkpointed } });
    } catch (error) {
      failures += 1;
      // The first of a run is reported; at the limit the checkpoints go back to the writer.
      if (failures === 1) parentPort.postMessage({ error: describe(error) });
      if (failures >= workerData.maxFailures) {
        parentPort.postMessage({ fatal: failures + ' checkpoints failed in a row: ' + describe(error) });
        stop();
      }
    }
  }, workerData.everyMs);
  parentPort.on('message', stop);
}
`;

/**
 * Checkpoints `file` (a database in WAL mode whose writer checkpoints only at
 * WRITER_CHECKPOINT_PAGES) from a worker thread. `onError` hears of the first checkpoint
 * of a run that failed (the next one tries again); `onStopped` of a worker that ended by
 * itself, after which the writer should checkpoint as SQLite does by default;
 * `onResult` of each checkpoint.
 */
export function startWalCheckpointer(
  file: string,
  options: {
    everyMs?: number;
    /** How long a checkpoint waits for a lock another connection holds; the writer's wait. */
    lockWaitMs?: number;
    onError(error: Error): void;
    onStopped(error: Error): void;
    onResult?(result: CheckpointResult): void;
  },
): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: {
      file,
      driver: require.resolve('better-sqlite3'),
      everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS,
      lockWaitMs: options.lockWaitMs ?? BUSY_TIMEOUT_MS,
      maxFailures: MAX_FAILURES_IN_A_ROW,
    },
  });
  let stopping = false;
  let failure: Error | null = null;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: { result?: CheckpointResult; error?: string; fatal?: string }) => {
    if (message.result) options.onResult?.(message.result);
    else if (message.fatal) failure = new Error(`WAL checkpointer stopped: ${message.fatal}`);
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
  // It does not keep the process alive while it only waits for its next checkpoint...
  worker.unref();
  return {
    async stop() {
      if (!stopping) {
        stopping = true;
        // ...but the process waits for it to close its connection, so that the writer is
        // the last to close and removes the log.
        worker.ref();
        worker.postMessage('stop');
      }
      await exited;
    },
  };
}
