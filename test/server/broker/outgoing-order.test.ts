import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DONE_IN_MEMORY } from '../../../src/server/broker/outgoing-cache';
import { openBrokerPersistence } from '../../../src/server/broker/persistence';
import { makeDataDir } from '../support/test-server';

// direct-delivery.ts writes a QoS 1 delivery to a persistent session at once when the
// persistence hands back DONE_IN_MEMORY, and waits for the promise otherwise. So a message
// held in memory must not be handed back as done while one before it, for the same client,
// is still being recorded on disk: it would overtake it on the wire.

const message = (brokerCounter: number) => ({
  cmd: 'publish',
  brokerId: 'b1',
  brokerCounter,
  topic: '$demo/agents/agent-01/state',
  payload: Buffer.from(`message ${brokerCounter}`),
  qos: 1,
  retain: false,
  dup: false,
});

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('outgoing records for a persistent session', () => {
  it('settle in order: one held in memory waits for the one before it on disk', async () => {
    dataDir = await makeDataDir();
    const clients: Record<string, { closed: boolean }> = {};
    const persistence = openBrokerPersistence(dataDir, (error) => {
      throw error;
    });
    await persistence.setup({ id: 'b1', clients });
    try {
      // Queued while bob was still connecting: on disk. Then he is connected: in memory.
      const first = message(1);
      await persistence.outgoingEnqueueCombi([{ clientId: 'bob' }], first);
      clients.bob = { closed: false };
      const second = message(2);
      await persistence.outgoingEnqueueCombi([{ clientId: 'bob' }], second);

      const settled: number[] = [];
      const bob = { id: 'bob' };
      const onDisk = persistence.outgoingUpdate(bob, { ...first, messageId: 10 });
      const inMemory = persistence.outgoingUpdate(bob, { ...second, messageId: 11 });
      expect(inMemory).not.toBe(DONE_IN_MEMORY);
      await Promise.all([onDisk.then(() => settled.push(1)), inMemory.then(() => settled.push(2))]);
      expect(settled).toEqual([1, 2]);

      // Nothing pending any more: the next one is done at once.
      const third = message(3);
      await persistence.outgoingEnqueueCombi([{ clientId: 'bob' }], third);
      expect(persistence.outgoingUpdate(bob, { ...third, messageId: 12 })).toBe(DONE_IN_MEMORY);
    } finally {
      await persistence.destroy();
    }
  });
});
