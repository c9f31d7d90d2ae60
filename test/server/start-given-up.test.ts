import { rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type * as BrokerAdminModule from '../../src/server/broker/broker-admin';
import { startServer } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { openStorage } from '../../src/server/storage';
import { eventually } from './support/eventually';
import { makeDataDir, startTestServer, testServerConfig } from './support/test-server';

// A start given up on (main.ts aborts it at a Ctrl-C) as it catches up with users removed
// while the server was down, one of whose ids holds a user again, so that it waits for the
// catch-up before it listens (external-changes.ts). The broker's calls are held here, as a
// large broker store would hold them.

const broker = vi.hoisted(() => ({
  calls: [] as string[],
  held: [] as (() => void)[],
  hold: false,
}));

vi.mock('../../src/server/broker/broker-admin', async (importOriginal) => {
  const real = await importOriginal<typeof BrokerAdminModule>();
  return {
    ...real,
    createBrokerAdmin: (...args: Parameters<typeof real.createBrokerAdmin>) => {
      const admin = real.createBrokerAdmin(...args);
      const heldCall =
        (name: 'clearLastKnown' | 'forgetUser') =>
        async (...callArgs: Parameters<typeof admin.forgetUser>) => {
          broker.calls.push(`${name} ${callArgs[1]}`);
          if (broker.hold) await new Promise<void>((resolve) => broker.held.push(resolve));
          return admin[name](...callArgs);
        };
      return {
        ...admin,
        clearLastKnown: heldCall('clearLastKnown'),
        forgetUser: heldCall('forgetUser'),
      };
    },
  };
});

let dataDir: string;
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('a start given up on as it catches up', () => {
  it('finishes the change under way, begins no other, closes everything and rejects', async () => {
    dataDir = await makeDataDir();
    await (await startTestServer({ dataDir })).close(); // seeded: bob and alice
    const storage = openStorage(dataDir);
    storage.users.removeUser('demo', 'bob');
    storage.users.addUser({ org: 'demo', user: 'bob', role: 'member', passwordHash: 'h' });
    storage.users.removeUser('demo', 'alice');
    storage.close();

    // Its HTTP port taken: a start that went on to listen would fail there, not give up.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const { port } = squatter.address() as AddressInfo;
    broker.hold = true;
    const giveUp = new AbortController();
    const starting = startServer(testServerConfig(dataDir, { port }), {
      logger: createLogger('silent'),
      signal: giveUp.signal,
    });
    const outcome = starting.then(
      () => 'started',
      (error: unknown) => error,
    );
    // Whatever fails below, the next test finds the broker's calls let through.
    onTestFinished(async () => {
      broker.hold = false;
      for (const release of broker.held.splice(0)) release();
      await outcome;
    });
    await eventually(() => broker.held.length === 1, 10_000, "bob's catch-up under way");
    giveUp.abort();
    for (const call of ['clearLastKnown bob', 'forgetUser bob']) {
      await eventually(() => broker.held.length === 1, 5_000, call);
      expect(broker.calls.at(-1)).toBe(call);
      broker.held.shift()!();
    }
    expect(await outcome).toBe(giveUp.signal.reason);
    expect(broker.calls).toEqual(['clearLastKnown bob', 'forgetUser bob']);

    // Alice's removal is still logged for the next start, which catches up with it.
    const reopened = openStorage(dataDir);
    const logged = reopened.userChanges.after(0, 10).map(({ user }) => user);
    reopened.close();
    expect(logged).toEqual(['alice']);
    broker.hold = false;
    const again = await startTestServer({ dataDir });
    try {
      await eventually(() => broker.calls.includes('forgetUser alice'), 5_000, 'alice caught up');
    } finally {
      await again.close();
    }
  });
});

describe('the signal of a start that succeeded', () => {
  it('cuts no catch-up short once the server runs: its close stops it', async () => {
    broker.calls.length = 0;
    const ownDataDir = await makeDataDir();
    onTestFinished(() => rm(ownDataDir, { recursive: true, force: true }));
    const signalled = new AbortController();
    const server = await startServer(testServerConfig(ownDataDir), {
      logger: createLogger('silent'),
      signal: signalled.signal,
    });
    try {
      signalled.abort();
      server.storage.users.removeUser('demo', 'admin'); // as the CLI would, while it runs
      await eventually(() => broker.calls.includes('forgetUser admin'), 5_000, 'caught up');
      await eventually(() => server.storage.userChanges.after(0, 10).length === 0);
    } finally {
      await server.close();
    }
  });
});
