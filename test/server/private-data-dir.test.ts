import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDataDirPrivate } from '../../src/server/private-data-dir';
import { captureLog } from './support/captured-log';
import { startTestServer, type TestServer } from './support/test-server';

// The data dir holds password hashes and history; SQLite and LevelDB create their files
// by the umask, so only the dir's own mode keeps them from other local users.

const modeOf = async (dir: string) => (await stat(dir)).mode & 0o777;
const made: string[] = [];
let server: TestServer | null = null;

async function openDir(name: string) {
  const parent = await mkdtemp(path.join(tmpdir(), 'switchboard-private-'));
  made.push(parent);
  const dir = path.join(parent, name);
  await mkdir(dir, { mode: 0o755 });
  await writeFile(path.join(dir, 'note.txt'), 'left by the user');
  return dir;
}

afterEach(async () => {
  await server?.cleanup();
  server = null;
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('the data dir is for the server’s user only', () => {
  it('is created private', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'switchboard-private-'));
    made.push(parent);
    const dir = path.join(parent, 'data');
    const { logger, events } = captureLog();
    makeDataDirPrivate(dir, logger);
    expect(await modeOf(dir)).toBe(0o700);
    expect(events).toEqual([]);
  });

  it('one that exists open to others is made private, said once, its files kept', async () => {
    const dir = await openDir('data');
    const { logger, events } = captureLog();
    makeDataDirPrivate(dir, logger);
    expect(await modeOf(dir)).toBe(0o700);
    expect(events).toMatchObject([{ event: 'data_dir_made_private', was: '755' }]);
    expect((await stat(path.join(dir, 'note.txt'))).isFile()).toBe(true);

    makeDataDirPrivate(dir, logger);
    expect(events).toHaveLength(1);
  });

  it('the server makes an existing open DATA_DIR private as it starts', async () => {
    const dir = await openDir('data');
    server = await startTestServer({ dataDir: dir });
    expect(await modeOf(dir)).toBe(0o700);
  });
});
