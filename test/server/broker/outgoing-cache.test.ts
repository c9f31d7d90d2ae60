import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { InFlightJournal } from '../../../src/server/broker/inflight-journal';
import {
  OUTGOING_HOLD_MAX_MESSAGES,
  OUTGOING_HOLD_MAX_MS,
  OUTGOING_JOURNAL_AFTER_MS,
  OutgoingCache,
  type OutgoingStore,
} from '../../../src/server/broker/outgoing-cache';

interface Packet {
  cmd: string;
  qos: number;
  brokerId: string;
  brokerCounter: number;
  messageId?: number;
  topic: string;
}

/** A disk that records what reaches it, keyed as aedes-persistence-level keys it. */
function fakeDisk() {
  const ops: string[] = [];
  const stored = new Map<string, Packet>();
  const byId = new Map<string, string>();
  const disk: OutgoingStore = {
    async outgoingEnqueue(sub, packet) {
      const p = packet as Packet;
      ops.push(`enqueue ${sub.clientId} ${p.brokerCounter}`);
      stored.set(`${sub.clientId}:${p.brokerCounter}`, { ...p });
    },
    async outgoingUpdate(client, packet) {
      const p = packet as Packet;
      ops.push(`update ${client.id} ${p.brokerCounter} id=${p.messageId}`);
      const key = `${client.id}:${p.brokerCounter}`;
      if (!stored.has(key)) throw new Error('no such packet');
      stored.set(key, { ...p });
      byId.set(`${client.id}:${p.messageId}`, key);
    },
    async outgoingClearMessageId(client, packet) {
      const p = packet as Packet;
      ops.push(`clear ${client.id} id=${p.messageId}`);
      const key = byId.get(`${client.id}:${p.messageId}`);
      if (!key) return undefined;
      const found = stored.get(key);
      stored.delete(key);
      return found;
    },
    async dropUnsent(clientId, packet) {
      const p = packet as Packet;
      ops.push(`drop ${clientId} ${p.brokerCounter}`);
      stored.delete(`${clientId}:${p.brokerCounter}`);
    },
    outgoingStream(client) {
      return Readable.from(
        [...stored.entries()].filter(([k]) => k.startsWith(`${client.id}:`)).map(([, p]) => p),
      );
    },
  };
  return { disk, ops, stored };
}

const publish = (counter: number): Packet => ({
  cmd: 'publish',
  qos: 1,
  brokerId: 'b1',
  brokerCounter: counter,
  topic: `$demo/chat/general/messages`,
});

function setup(connected = new Set(['alice'])) {
  const { disk, ops, stored } = fakeDisk();
  let now = 1_000;
  const errors: string[] = [];
  // The journal's view: each message's holders, after its record and changes.
  const journaled = new Map<number, Set<string>>();
  const changeKeys = new Set<string>();
  const journal: InFlightJournal = {
    async write({ noted, changed, forgotten }) {
      for (const { packet, clientIds, sentTo } of noted) {
        ops.push(`note ${packet.brokerCounter} for ${clientIds} (sent ${sentTo})`);
        journaled.set(packet.brokerCounter!, new Set(clientIds));
      }
      for (const { packet, change, released, sentTo } of changed) {
        ops.push(`change ${packet.brokerCounter}#${change}: let go ${released}, sent ${sentTo}`);
        changeKeys.add(`${packet.brokerCounter}#${change}`);
        for (const id of released) journaled.get(packet.brokerCounter!)?.delete(id);
      }
      for (const { packet, changes } of forgotten) {
        ops.push(`forget ${packet.brokerCounter} and ${changes} changes`);
        journaled.delete(packet.brokerCounter!);
        for (let i = 1; i <= changes; i++) changeKeys.delete(`${packet.brokerCounter}#${i}`);
      }
    },
  };
  const cache = new OutgoingCache(
    disk,
    journal,
    (id) => connected.has(id),
    (error, id) => errors.push(`${id}: ${(error as Error).message}`),
    () => now,
  );
  return {
    cache,
    disk,
    journal,
    journaled,
    changeKeys,
    ops,
    stored,
    errors,
    connected,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function collect(stream: Readable): Promise<Packet[]> {
  const out: Packet[] = [];
  for await (const packet of stream) out.push(packet as Packet);
  return out;
}

describe('OutgoingCache', () => {
  it('never touches the disk for a message its connected client acknowledges in time', async () => {
    const { cache, ops } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 7 });
    const cleared = await cache.outgoingClearMessageId(
      { id: 'alice' },
      { ...publish(1), messageId: 7 },
    );
    expect(cleared).toMatchObject({ brokerCounter: 1, messageId: 7 });
    expect(ops).toEqual([]);
    expect(cache.heldFor('alice')).toBe(0);
  });

  it('sends offline sessions and QoS 2 straight to disk', async () => {
    const { cache, ops } = setup();
    await cache.outgoingEnqueue({ clientId: 'bob' }, publish(1));
    await cache.outgoingEnqueue({ clientId: 'alice' }, { ...publish(2), qos: 2 });
    expect(ops).toEqual(['enqueue bob 1', 'enqueue alice 2']);
    expect(cache.heldFor('alice')).toBe(0);
  });

  it('forgets a withheld message held in memory, and leaves one that was sent', async () => {
    const { cache, ops } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(2));
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(2), messageId: 7 });
    cache.dropUnsent('alice', publish(1));
    cache.dropUnsent('alice', publish(2)); // sent: its PUBACK clears it
    expect(cache.heldFor('alice')).toBe(1);
    await cache.flushClient('alice');
    expect(ops).toEqual(['enqueue alice 2', 'update alice 2 id=7']);
  });

  it('drops a withheld message from the disk when it is not held (QoS 2, or queued offline)', async () => {
    const { cache, ops, stored } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, { ...publish(1), qos: 2 });
    await cache.outgoingEnqueue({ clientId: 'alice' }, { ...publish(2), qos: 2 });
    cache.dropUnsent('alice', { ...publish(1), qos: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(ops).toEqual(['enqueue alice 1', 'enqueue alice 2', 'drop alice 1']);
    expect([...stored.keys()]).toEqual(['alice:2']);
  });

  it('writes a client’s unacknowledged messages through, in order, when it disconnects', async () => {
    const { cache, ops, stored, connected } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(2));
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 5 });
    connected.delete('alice');
    await cache.flushClient('alice');
    expect(ops).toEqual(['enqueue alice 1', 'update alice 1 id=5', 'enqueue alice 2']);
    expect([...stored.keys()]).toEqual(['alice:1', 'alice:2']);
    // A PUBACK that arrives now finds it on disk.
    expect(
      await cache.outgoingClearMessageId({ id: 'alice' }, { ...publish(1), messageId: 5 }),
    ).toMatchObject({ brokerCounter: 1 });
  });

  it('streams the queue to a returning client only after its held messages are on disk', async () => {
    const { cache } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    const queued = await collect(cache.outgoingStream({ id: 'alice' }));
    expect(queued.map((p) => p.brokerCounter)).toEqual([1]);
  });

  it('marks a queued message that was sent before as a duplicate, and only that one', async () => {
    const { cache } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(2));
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 4 });
    const queued = await collect(cache.outgoingStream({ id: 'alice' }));
    expect(queued.map((p) => [p.brokerCounter, (p as { dup?: boolean }).dup ?? false])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('sends nothing of the queue to a client it is told to withhold it from', async () => {
    const { cache, stored } = setup();
    await cache.outgoingEnqueue({ clientId: 'bob' }, publish(1)); // bob is away: on disk
    cache.withholdQueueFrom = (client) => client.id === 'bob';
    expect(await collect(cache.outgoingStream({ id: 'bob' }))).toEqual([]);
    expect([...stored.keys()]).toEqual(['bob:1']);
    cache.withholdQueueFrom = () => false;
    expect(await collect(cache.outgoingStream({ id: 'bob' }))).toMatchObject([
      { brokerCounter: 1 },
    ]);
  });

  it('lets the stored queue be read without writing what is held through', async () => {
    const { cache, ops } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    expect(await collect(cache.storedStream({ id: 'alice' }))).toEqual([]);
    expect(ops).toEqual([]);
    expect(cache.heldFor('alice')).toBe(1);
  });

  it('notes a message unacknowledged after OUTGOING_JOURNAL_AFTER_MS once, for the clients holding it', async () => {
    const { cache, ops, journaled, advance } = setup(new Set(['alice', 'bob', 'carol']));
    for (const clientId of ['alice', 'bob', 'carol']) {
      await cache.outgoingEnqueue({ clientId }, publish(1));
    }
    for (const clientId of ['alice', 'bob']) {
      await cache.outgoingUpdate({ id: clientId }, { ...publish(1), messageId: 3 });
    }
    await cache.outgoingClearMessageId({ id: 'bob' }, { ...publish(1), messageId: 3 });
    advance(OUTGOING_JOURNAL_AFTER_MS / 2);
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(2));
    advance(OUTGOING_JOURNAL_AFTER_MS / 2 + 1);
    await cache.flushAged();
    // One record for the aged message, none for the younger one; bob had acknowledged it.
    // Both stay in memory, their PUBACKs still clear them there.
    expect(ops).toEqual(['note 1 for alice,carol (sent alice)']);
    expect(cache.heldFor('alice')).toBe(2);
    await cache.flushAged();
    expect(ops).toHaveLength(1);

    // carol is sent it and alice acknowledges it: one change in the next pass.
    await cache.outgoingUpdate({ id: 'carol' }, { ...publish(1), messageId: 4 });
    await cache.outgoingClearMessageId({ id: 'alice' }, { ...publish(1), messageId: 3 });
    await cache.flushAged();
    expect(ops.at(-1)).toBe('change 1#1: let go alice, sent carol');
    expect([...journaled.get(1)!]).toEqual(['carol']);
    await cache.outgoingClearMessageId({ id: 'carol' }, { ...publish(1), messageId: 4 });
    advance(OUTGOING_JOURNAL_AFTER_MS);
    await cache.flushAged();
    expect(ops.slice(2)).toEqual(['note 2 for alice (sent )', 'forget 1 and 1 changes']);
    expect([...journaled.keys()]).toEqual([2]);
  });

  it('journals nothing for a message acknowledged or withheld in time', async () => {
    const { cache, ops, advance } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(2));
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 1 });
    await cache.outgoingClearMessageId({ id: 'alice' }, { ...publish(1), messageId: 1 });
    cache.dropUnsent('alice', publish(2));
    advance(OUTGOING_JOURNAL_AFTER_MS + 1);
    await cache.flushAged();
    expect(ops).toEqual([]);
  });

  it('forgets a journaled message once its client’s queue on disk has it', async () => {
    const { cache, ops, connected, advance } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    advance(OUTGOING_JOURNAL_AFTER_MS + 1);
    await cache.flushAged();
    connected.delete('alice');
    await cache.flushClient('alice');
    await cache.flushAged();
    expect(ops).toEqual(['note 1 for alice (sent )', 'enqueue alice 1', 'forget 1 and 0 changes']);
  });

  it('writes to disk what a client held longer than OUTGOING_HOLD_MAX_MS', async () => {
    const { cache, ops, stored, advance } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 9 });
    advance(OUTGOING_HOLD_MAX_MS - 1);
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(2));
    await cache.flushAged();
    expect(cache.heldFor('alice')).toBe(2);
    advance(2);
    await cache.flushAged();
    await cache.flushAged();
    expect(ops).toEqual([
      'note 1 for alice (sent alice)',
      'enqueue alice 1',
      'update alice 1 id=9',
      'forget 1 and 0 changes',
    ]);
    expect(cache.heldFor('alice')).toBe(1);
    expect([...stored.keys()]).toEqual(['alice:1']);
    // Its PUBACK now clears it on disk.
    await cache.outgoingClearMessageId({ id: 'alice' }, { ...publish(1), messageId: 9 });
    expect(stored.size).toBe(0);
  });

  it('writes to disk the oldest of more than OUTGOING_HOLD_MAX_MESSAGES held for a client', async () => {
    const { cache, stored } = setup();
    for (let counter = 1; counter <= OUTGOING_HOLD_MAX_MESSAGES + 2; counter++) {
      await cache.outgoingEnqueue({ clientId: 'alice' }, publish(counter));
    }
    await cache.flushAged();
    expect([...stored.keys()]).toEqual(['alice:1', 'alice:2']);
    expect(cache.heldFor('alice')).toBe(OUTGOING_HOLD_MAX_MESSAGES);
  });

  it('leaves the journal empty after writing everything held (a clean stop)', async () => {
    const { cache, journaled, stored, advance } = setup(new Set(['alice', 'bob']));
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingEnqueue({ clientId: 'bob' }, publish(1));
    advance(OUTGOING_JOURNAL_AFTER_MS + 1);
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(2));
    await cache.flushAged();
    expect([...journaled.keys()]).toEqual([1]);
    await cache.flushAll();
    expect(journaled.size).toBe(0);
    expect([...stored.keys()].sort()).toEqual(['alice:1', 'alice:2', 'bob:1']);
  });

  it('reports a failed journal write and writes what it carried again', async () => {
    const { cache, journal, journaled, errors, ops, advance } = setup(
      new Set(['alice', 'bob', 'carol']),
    );
    const write = journal.write.bind(journal);
    const failing = () => Promise.reject(new Error('disk full'));
    for (const clientId of ['alice', 'bob', 'carol']) {
      await cache.outgoingEnqueue({ clientId }, publish(1));
      await cache.outgoingUpdate({ id: clientId }, { ...publish(1), messageId: 1 });
    }
    advance(OUTGOING_JOURNAL_AFTER_MS + 1);
    journal.write = failing;
    await cache.flushAged(); // the note is lost
    journal.write = write;
    await cache.outgoingClearMessageId({ id: 'alice' }, { ...publish(1), messageId: 1 });
    advance(OUTGOING_JOURNAL_AFTER_MS + 1);
    await cache.flushAged();
    expect(ops).toEqual(['note 1 for bob,carol (sent bob,carol)']);

    await cache.outgoingClearMessageId({ id: 'bob' }, { ...publish(1), messageId: 1 });
    journal.write = failing;
    await cache.flushAged(); // the change is lost
    journal.write = write;
    await cache.flushAged();
    expect(ops.at(-1)).toBe('change 1#2: let go bob, sent ');
    expect([...journaled.get(1)!]).toEqual(['carol']);

    await cache.outgoingClearMessageId({ id: 'carol' }, { ...publish(1), messageId: 1 });
    journal.write = failing;
    await cache.flushAged(); // the forgetting is lost
    journal.write = write;
    await cache.flushAged();
    expect(ops.at(-1)).toBe('forget 1 and 2 changes');
    expect(journaled.size).toBe(0);
    expect(errors).toEqual(Array(3).fill('(journal): disk full'));
  });

  it('forgets a message whose note failed after a change of it was written', async () => {
    const { cache, journal, journaled, changeKeys, ops, advance } = setup(
      new Set(['alice', 'bob']),
    );
    const write = journal.write.bind(journal);
    let failNote: (error: Error) => void = () => {};
    journal.write = () => {
      journal.write = write; // only this first batch fails, once the next is built
      return new Promise((_, reject) => (failNote = reject));
    };
    for (const clientId of ['alice', 'bob']) {
      await cache.outgoingEnqueue({ clientId }, publish(1));
      await cache.outgoingUpdate({ id: clientId }, { ...publish(1), messageId: 1 });
    }
    advance(OUTGOING_JOURNAL_AFTER_MS + 1);
    const noting = cache.flushAged();
    await cache.outgoingClearMessageId({ id: 'alice' }, { ...publish(1), messageId: 1 });
    const changing = cache.flushAged(); // built while the note is still pending
    failNote(new Error('disk full'));
    await Promise.all([noting, changing]);
    expect(ops).toEqual(['change 1#1: let go alice, sent ']);
    await cache.outgoingClearMessageId({ id: 'bob' }, { ...publish(1), messageId: 1 });
    await cache.flushAged();
    expect(ops.at(-1)).toBe('forget 1 and 1 changes');
    expect(changeKeys.size).toBe(0);
    expect(journaled.size).toBe(0);
  });

  it('notes a message for a client whose copy is still on its way to disk', async () => {
    const { cache, disk, ops, connected, advance } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 2 });
    advance(OUTGOING_JOURNAL_AFTER_MS + 1);
    disk.outgoingEnqueue = () => new Promise(() => {}); // a write that does not finish
    connected.delete('alice');
    void cache.flushClient('alice');
    await cache.flushAged();
    expect(ops).toEqual(['note 1 for alice (sent alice)']);
  });

  it('replaces the message id when a message is sent again', async () => {
    const { cache, ops } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 1 });
    await cache.outgoingUpdate({ id: 'alice' }, { ...publish(1), messageId: 2 });
    // The old id is no longer this message's: it goes to the disk, which has nothing.
    expect(
      await cache.outgoingClearMessageId({ id: 'alice' }, { ...publish(1), messageId: 1 }),
    ).toBeUndefined();
    expect(
      await cache.outgoingClearMessageId({ id: 'alice' }, { ...publish(1), messageId: 2 }),
    ).toMatchObject({ messageId: 2 });
    expect(ops).toEqual(['clear alice id=1']);
  });

  it('reports a failed write and goes on with the next', async () => {
    const { cache, disk, errors, stored } = setup();
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(1));
    await cache.outgoingEnqueue({ clientId: 'alice' }, publish(2));
    const enqueue = disk.outgoingEnqueue;
    disk.outgoingEnqueue = async (sub, p) => {
      if ((p as Packet).brokerCounter === 1) throw new Error('disk full');
      return enqueue(sub, p);
    };
    await cache.flushAll();
    expect(errors).toEqual(['alice: disk full']);
    expect([...stored.keys()]).toEqual(['alice:2']);
  });
});
