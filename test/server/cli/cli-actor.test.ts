import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { spawnTsx } from '../../e2e/support/child-process';
import { cliActor } from '../../../src/server/cli/cli-actor';
import { openStorage } from '../../../src/server/storage';

// Who the audit log names for what `npm run cli` changed: the OS account that ran it.

const system = vi.hoisted(() => ({ knowsUser: true }));
vi.mock('node:os', async (importOriginal) => {
  const real = await importOriginal<typeof os>();
  const userInfo = (() => {
    if (!system.knowsUser) throw new Error('ENOENT: no such file or directory, uv_os_get_passwd');
    return real.userInfo();
  }) as typeof real.userInfo;
  return { ...real, default: { ...real, userInfo }, userInfo };
});

describe('the CLI’s actor in the audit log', () => {
  it('is the OS user that ran `npm run cli`', async () => {
    const dataDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'switchboard-cli-')), 'data');
    try {
      const cli = spawnTsx('src/server/cli/main.ts', ['org', 'add', 'acme'], { DATA_DIR: dataDir });
      await cli.exited();
      expect(cli.child.exitCode, cli.output()).toBe(0);
      const storage = openStorage(dataDir);
      const [entry] = storage.audit.page('acme', { limit: 10 }).entries;
      storage.close();
      expect(entry?.actor).toBe(`cli:${os.userInfo().username}`);
    } finally {
      await rm(path.dirname(dataDir), { recursive: true, force: true });
    }
  });

  it('is the uid when the system has no user for it', () => {
    system.knowsUser = false;
    try {
      expect(cliActor()).toBe(`cli:uid-${process.getuid?.()}`);
    } finally {
      system.knowsUser = true;
    }
  });
});
