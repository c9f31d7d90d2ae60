import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnTsx, waitForOutput, type NodeProcess } from '../e2e/support/child-process';
import { DATABASE_FILE } from '../../src/server/storage';
import { startTestServer } from './support/test-server';

// `npm start` (src/server/main.ts in a process of its own) told to stop while it starts: it
// closes what it has opened and exits, and a server starts on its data dir again.

const HOLD = fileURLToPath(new URL('./support/hold-first-listen.cjs', import.meta.url));
// Long enough that the signal lands while the listen is held, short enough for a test.
const HOLD_LISTEN_MS = 2_000;
const START_TIMEOUT_MS = 30_000;
// The held start, the stop and a second start on the same data dir.
const TEST_TIMEOUT_MS = 3 * START_TIMEOUT_MS;

let dataDir: string;
let server: NodeProcess | undefined;
afterEach(async () => {
  await server?.kill();
  await rm(path.dirname(dataDir), { recursive: true, force: true });
});

async function startHeld(): Promise<NodeProcess> {
  dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'switchboard-interrupted-')), 'data');
  const started = spawnTsx('src/server/main.ts', [], {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${HOLD}`,
    HOLD_LISTEN_MS: String(HOLD_LISTEN_MS),
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: dataDir,
    DEMO_PASSWORD: '',
    DEMO_AGENTS: '1',
    LOG_LEVEL: 'info',
  });
  await waitForOutput(
    started,
    (output) => output.includes('hold-first-listen: held'),
    START_TIMEOUT_MS,
    'the start held at its listen',
  );
  return started;
}

describe('npm start stopped while it starts', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'closes what it opened on %s, exits 0, and a server starts on its data dir again',
    async (signal) => {
      server = await startHeld();
      server.child.kill(signal);
      await server.exited();
      const output = server.output();
      expect(server.child.signalCode, output).toBeNull(); // not killed by the signal…
      expect(server.child.exitCode, output).toBe(0); // …but stopped by it
      expect(output).toContain('"event":"shutdown"');
      expect(output).not.toContain('Switchboard is running');
      // SQLite deletes its write-ahead log when the last connection closes, not on a crash.
      expect(existsSync(path.join(dataDir, DATABASE_FILE))).toBe(true);
      expect(existsSync(path.join(dataDir, `${DATABASE_FILE}-wal`))).toBe(false);
      // Nothing left that the next start would trip over (the key file, the seed).
      const again = await startTestServer({ dataDir });
      await again.cleanup();
    },
    TEST_TIMEOUT_MS,
  );
});
