import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as AedesModule from 'aedes';
import { startServer } from '../../../src/server/app';
import { createLogger } from '../../../src/server/logger';
import { makeDataDir, testServerConfig } from '../support/test-server';

// Creating the broker fails once its store is open (as when the store's setup or aedes
// fails): the start is refused, and nothing of the broker is left open; the store's LevelDB
// lock above all, which would keep any later start on the data dir from opening it.

const failing = vi.hoisted(() => ({ next: false }));

vi.mock('aedes', async (importOriginal) => {
  const real = await importOriginal<typeof AedesModule>();
  class Aedes extends real.Aedes {
    static override async createBroker(
      opts: ConstructorParameters<typeof real.Aedes>[0],
    ): Promise<InstanceType<typeof real.Aedes>> {
      if (!failing.next) return real.Aedes.createBroker(opts);
      failing.next = false;
      // The store is open (its first read opens it), then the broker fails.
      await (opts?.persistence as unknown as { lastSwept(): Promise<unknown> }).lastSwept();
      throw new Error('the broker could not start');
    }
  }
  return { ...real, Aedes };
});

let dataDir: string;
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('a broker that fails to start', () => {
  it('closes its store, so the data dir opens again', async () => {
    dataDir = await makeDataDir();
    const config = testServerConfig(dataDir);
    const logger = createLogger('silent');
    failing.next = true;
    await expect(startServer(config, { logger })).rejects.toThrow('the broker could not start');

    // Nothing holds the broker store's lock.
    const store = new Level(path.join(dataDir, 'broker'));
    await store.open();
    await store.close();
    // And a start on the same data dir succeeds.
    const server = await startServer(config, { logger });
    await server.close();
  });
});
