import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
// The committed version (9210fdf), extracted with `git archive` (the working tree differs).
import {
  OUTGOING_HOLD_MAX_MS,
  OUTGOING_JOURNAL_AFTER_MS,
  OutgoingCache,
  type InFlightJournal,
  type OutgoingStore,
} from '/tmp/review-9210fdf/src/server/broker/outgoing-cache';

interface Packet {
  cmd: string;
  qos: number;
  brokerId: string;
  brokerCounter: number;
  messageId?: number;
  topic: string;
}

const hop = async (rand: () => number) => {
  const n = Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

function world(seed: number) {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const stored = new Map<string, Packet>();
  const byId = new Map<string, string>();
  const disk: OutgoingStore = {
    async outgoingEnqueue(sub, packet) {
      await hop(rand);
      const p = packet as Packet;
      stored.set(`${sub.clientId}:${p.brokerCounter}`, { ...p, messageId: undefined });
    },
    async outgoingUpdate(client, packet) {
      await hop(rand);
      const p = packet as Packet;
      const key = `${client.id}:${p.brokerCounter}`;
      if (!stored.has(key)) throw new Error(`no such packet ${key}`);
      stored.set(key, { ...p });
      byId.set(`${client.id}:${p.messageId}`, key);
    },
    async outgoingClearMessageId(client, packet) {
      await hop(rand);
      const p = packet as Packet;
      const key = byId.get(`${client.id}:${p.messageId}`);
      byId.delete(`${client.id}:${p.messageId}`);
      if (!key) return undefined;
      const found = stored.get(key);
      stored.delete(key);
      return found;
    },
    async dropUnsent(clientId, packet) {
      await hop(rand);
      stored.delete(`${clientId}:${(packet as Packet).brokerCounter}`);
    },
    outgoingStream(client) {
      return Readable.from(
        [...stored.entries()].filter(([k]) => k.startsWith(`${client.id}:`)).map(([, p]) => p),
      );
    },
  };
  const journaled = new Map<number, string[]>();
  const journal: InFlightJournal = {
    async write(noted, forgotten) {
      await hop(rand);
      for (const { packet, clientIds } of noted) journaled.set(packet.brokerCounter!, clientIds);
      for (const packet of forgotten) journaled.delete(packet.brokerCounter!);
    },
  };
  return { rand, disk, stored, journal, journaled };
}

describe('review: OutgoingCache fuzz', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`keeps held counts, disk and journal consistent (seed ${seed})`, async () => {
      const { rand, disk, stored, journal, journaled } = world(seed);
      const clients = ['demo:a:1', 'demo:b:2', 'demo:c:3'];
      const connected = new Set(clients);
      let now = 1_000;
      const errors: string[] = [];
      const cache = new OutgoingCache(
        disk,
        journal,
        (id) => connected.has(id),
        (e, id) => errors.push(`${id}: ${(e as Error).message}`),
        () => now,
      );
      const owed = new Set<string>(); // `${client}:${counter}`
      const unsent = new Map<string, Packet[]>(); // live deliveries not yet sent
      const sent = new Map<string, number[]>(); // message ids awaiting PUBACK
      let counter = 0;
      let nextId = 1;
      const pending: Promise<unknown>[] = [];
      for (let step = 0; step < 400; step++) {
        const r = rand();
        const c = clients[Math.floor(rand() * clients.length)]!;
        if (r < 0.3) {
          counter += 1;
          const packet: Packet = {
            cmd: 'publish',
            qos: 1,
            brokerId: 'b1',
            brokerCounter: counter,
            topic: '$demo/t',
          };
          const subs = clients.filter(() => rand() < 0.7);
          if (subs.length && rand() < 0.2) subs.push(subs[0]!); // overlapping subscriptions
          for (const id of subs) {
            pending.push(cache.outgoingEnqueue({ clientId: id }, packet));
            if (owed.has(`${id}:${counter}`)) continue;
            owed.add(`${id}:${counter}`);
            if (connected.has(id)) unsent.set(id, [...(unsent.get(id) ?? []), packet]);
          }
        } else if (r < 0.5) {
          const queue = unsent.get(c) ?? [];
          const packet = queue.shift();
          if (!packet || !connected.has(c)) continue;
          if (rand() < 0.1) {
            cache.dropUnsent(c, packet);
            owed.delete(`${c}:${packet.brokerCounter}`);
          } else {
            const messageId = nextId++;
            pending.push(cache.outgoingUpdate({ id: c }, { ...packet, messageId }));
            sent.set(c, [...(sent.get(c) ?? []), messageId]);
            idToKey.set(`${c}:${messageId}`, `${c}:${packet.brokerCounter}`);
          }
        } else if (r < 0.7) {
          const ids = sent.get(c) ?? [];
          if (!ids.length || !connected.has(c)) continue;
          const messageId = ids.splice(Math.floor(rand() * ids.length), 1)[0]!;
          await cache.outgoingClearMessageId(
            { id: c },
            { cmd: 'puback', qos: 0, brokerId: '', brokerCounter: 0, topic: '', messageId },
          );
          owed.delete(idToKey.get(`${c}:${messageId}`)!);
        } else if (r < 0.78) {
          if (!connected.has(c)) continue;
          connected.delete(c);
          unsent.delete(c);
          sent.delete(c);
          pending.push(cache.flushClient(c));
        } else if (r < 0.84) {
          if (connected.has(c)) continue;
          connected.add(c);
          // replay: everything queued goes out again with a new id
          for await (const p of cache.outgoingStream({ id: c })) {
            const messageId = nextId++;
            await cache.outgoingUpdate({ id: c }, { ...(p as Packet), messageId });
            sent.set(c, [...(sent.get(c) ?? []), messageId]);
            idToKey.set(`${c}:${messageId}`, `${c}:${(p as Packet).brokerCounter}`);
          }
        } else {
          now += rand() < 0.1 ? OUTGOING_HOLD_MAX_MS + 1 : Math.floor(rand() * 1500);
          const aged = cache.flushAged();
          if (rand() < 0.5) await aged;
          else pending.push(aged);
        }
        if (rand() < 0.2) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending.splice(0));
      for (const c of clients) connected.delete(c);
      await cache.flushAll();
      const internals = cache as unknown as {
        messages: Map<number, unknown>;
        unjournaled: Map<number, unknown>;
        released: unknown[];
        queues: Map<string, unknown>;
      };
      expect(errors).toEqual([]);
      expect(internals.messages.size).toBe(0);
      expect(internals.unjournaled.size).toBe(0);
      expect(internals.released.length).toBe(0);
      expect([...journaled.keys()]).toEqual([]);
      expect([...stored.keys()].sort()).toEqual([...owed].sort());
    });
  }
  const idToKey = new Map<string, string>();
});

describe('review: journal write failure', () => {
  it('a failed forget leaves an entry a clean stop does not remove', async () => {
    const { disk, journal, journaled } = world(7);
    let now = 1_000;
    const errors: string[] = [];
    const cache = new OutgoingCache(
      disk,
      journal,
      () => true,
      (e, id) => errors.push(`${id}: ${(e as Error).message}`),
      () => now,
    );
    const packet = { cmd: 'publish', qos: 1, brokerId: 'b1', brokerCounter: 1, topic: 't' };
    await cache.outgoingEnqueue({ clientId: 'a' }, packet);
    await cache.outgoingUpdate({ id: 'a' }, { ...packet, messageId: 1 });
    now += OUTGOING_JOURNAL_AFTER_MS + 1;
    await cache.flushAged();
    expect([...journaled.keys()]).toEqual([1]);
    await cache.outgoingClearMessageId({ id: 'a' }, { ...packet, messageId: 1 });
    const write = journal.write.bind(journal);
    journal.write = () => Promise.reject(new Error('disk full'));
    await cache.flushAged();
    journal.write = write;
    await cache.flushAll(); // a clean stop
    expect(errors).toEqual(['(journal): disk full']);
    // Still journaled: the next start queues it again for 'a', which acknowledged it.
    expect([...journaled.keys()]).toEqual([1]);
  });
});
