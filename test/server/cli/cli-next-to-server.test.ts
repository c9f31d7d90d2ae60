import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/server/cli/run-cli';
import { openTempStorage, type TempStorage } from '../storage/temp-storage';

// The CLI changes the data a running server writes to all the time (chat history), each
// change in one transaction with its audit entry: that transaction reads before it writes,
// and must neither fail nor lose a write for the server's commits meanwhile.

const require = createRequire(import.meta.url);
const CHANGES = 300;

// The server, as far as the database sees it: another connection that commits without pause.
const BUSY_WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
const insert = db.prepare(
  "INSERT INTO audit_log (org_id, at, actor, action, target, detail) VALUES ('elsewhere', 0, 'server', 'busy', '', '{}')",
);
parentPort.postMessage('writing');
while (Atomics.load(workerData.stop, 0) === 0) insert.run();
db.close();
`;

let t: TempStorage;
afterEach(() => t.cleanup());

describe('the CLI next to a server that writes', () => {
  it('makes and audits every change, none refused as locked', async () => {
    t = openTempStorage();
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const writer = new Worker(BUSY_WRITER, {
      eval: true,
      execArgv: [],
      workerData: { driver: require.resolve('better-sqlite3'), file: t.storage.file, stop },
    });
    const exited = new Promise((resolve) => writer.once('exit', resolve));
    await new Promise((resolve) => writer.once('message', resolve));
    const errors: string[] = [];
    try {
      for (let i = 0; i < CHANGES; i++) {
        const deps = { storage: t.storage, actor: 'cli:ops', out: () => {}, err: () => {} };
        await runCli(['org', 'add', `org-${i}`], deps).catch((error: Error) =>
          errors.push(error.message),
        );
      }
    } finally {
      Atomics.store(stop, 0, 1);
      await exited;
    }
    expect(errors).toEqual([]);
    expect(t.storage.users.listOrgs()).toHaveLength(CHANGES);
    const audited = t.storage.audit.page('org-0', { limit: 10 }).entries;
    expect(audited.map(({ action }) => action)).toEqual(['org.create']);
  });
});
