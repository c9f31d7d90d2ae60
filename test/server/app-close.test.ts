import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { makeDataDir, startTestServer, testServerConfig } from './support/test-server';

describe('closing the server', () => {
  it('closes once, in reverse order, however many signals ask (SIGINT, then SIGTERM)', async () => {
    const server = await startTestServer();
    const order: string[] = [];
    const brokerClose = server.broker.close.bind(server.broker);
    server.broker.close = async () => {
      order.push('broker');
      await brokerClose();
    };
    const storageClose = server.storage.close.bind(server.storage);
    server.storage.close = () => {
      order.push('database');
      storageClose();
    };
    const first = server.close();
    const second = server.close();
    await Promise.all([first, second]);
    expect(second).toBe(first);
    expect(order).toEqual(['broker', 'database']);
    await server.cleanup(); // the data dir; closing again is a no-op
  });
});

describe('closing the server at once', () => {
  it('waits for the sweep it started: nothing fails for a closed broker or database', async () => {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const dataDir = await makeDataDir();
    const server = await startServer(
      { ...testServerConfig(dataDir), logLevel: 'error' },
      { logger: createLogger('error', capture) },
    );
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
    expect(lines).toEqual([]);
  });
});
