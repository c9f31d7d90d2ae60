import { describe, expect, it } from 'vitest';
import { startTestServer } from './support/test-server';

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
