import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage } from '../../../src/server/storage';

export interface TempStorage {
  storage: Storage;
  dir: string;
  /** Test clock in ms; move it to expire sessions. */
  clock: { now: number };
  cleanup(): void;
}

/** A real on-disk storage in a fresh temp directory, with a controllable clock. */
export function openTempStorage(): TempStorage {
  const dir = mkdtempSync(join(tmpdir(), 'sb-storage-'));
  const clock = { now: 1_700_000_000_000 };
  const storage = openStorage(dir, { now: () => clock.now });
  return {
    storage,
    dir,
    clock,
    cleanup() {
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
