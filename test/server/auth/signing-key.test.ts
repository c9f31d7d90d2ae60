import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE, loadOrCreateSigningKey } from '../../../src/server/auth/signing-key';

const STARTS_AT_ONCE = 8;
const ROUNDS = 10;

describe('signing key', () => {
  const dirs: string[] = [];
  const freshDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('is created once by starts racing on a new data dir, leaving no partial file', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = await freshDir();
      const keys = await Promise.all(
        Array.from({ length: STARTS_AT_ONCE }, () => loadOrCreateSigningKey(dir)),
      );
      expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
      expect(await readdir(dir)).toEqual([KEY_FILE]); // no partial file left behind
    }
  });

  it('names the file and what to do when it holds no key', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, KEY_FILE), '');
    await expect(loadOrCreateSigningKey(dir)).rejects.toThrow(
      /jwt-key\.json is not a Switchboard signing key; move it away to create a new one/,
    );
  });
});
