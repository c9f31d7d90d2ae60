import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openBrokerPersistence } from '../../../src/server/broker/persistence';
import { makeDataDir } from '../support/test-server';

// The cap reads a user's last-seen times from memory (seen-index.ts): what it finds there
// must be what the `last-seen:` keys on disk say, after a restart too.

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The broker store of `dataDir`, set up as aedes does before any CONNECT. */
async function opened(dataDir: string) {
  const persistence = openBrokerPersistence(dataDir, (error) => {
    throw error;
  });
  await persistence.setup({ id: 'test-broker', emit: () => {}, clients: {} });
  return persistence;
}

describe('a user’s sessions noted as seen', () => {
  it('are answered from memory as written, per user, and the same after a restart', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const first = await opened(dataDir);
    await first.markSeen(['demo:alice:a', 'demo:alice:b', 'demo:bob:a', 'acme:alice:a'], 1_000);
    await first.markSeen(['demo:alice:b'], 2_000);
    await first.markSeen(['demo:alice:c'], 3_000);
    await first.forgetSeen('demo:alice:a');
    await first.addSubscriptions({ id: 'demo:alice:c' }, [{ topic: '$demo/chat/+/+', qos: 1 }]);
    await first.forgetSession('demo:alice:c');
    const alice = [{ clientId: 'demo:alice:b', seenAt: 2_000 }];
    expect(first.seenSessionsOf('demo', 'alice')).toEqual(alice);
    expect(first.seenSessionsOf('demo', 'bob')).toEqual([
      { clientId: 'demo:bob:a', seenAt: 1_000 },
    ]);
    expect(first.seenSessionsOf('demo', 'carol')).toEqual([]);
    await first.destroy();

    const again = await opened(dataDir);
    try {
      expect(again.seenSessionsOf('demo', 'alice')).toEqual(alice);
      expect(again.seenSessionsOf('acme', 'alice')).toEqual([
        { clientId: 'acme:alice:a', seenAt: 1_000 },
      ]);
      expect((await again.seenClientIds()).sort()).toEqual([
        'acme:alice:a',
        'demo:alice:b',
        'demo:bob:a',
      ]);
    } finally {
      await again.destroy();
    }
  });
});
