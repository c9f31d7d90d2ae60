import type { Client, Subscription } from 'aedes';
import mqttPacket, { type IPublishPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { deliverRetained, RETAINED_WINDOW } from '../../../src/server/broker/retained-delivery';
import { RetainedIndex } from '../../../src/server/broker/retained-index';

interface Delivery {
  topic: string;
  qos: number;
  retain: boolean;
  brokerId: string | null;
}

/**
 * A client whose QoS 1 deliveries (through aedes' deliverQoS) complete only when the test
 * says so, and whose connection parses what is written to it directly (QoS 0). `full`
 * makes the connection ask the writer to wait for 'drain'. `forward` stands for the
 * broker's authorizeForward: the topic the client sees, or null to refuse.
 */
function fakeClient(forward: (topic: string) => string | null = (topic) => topic) {
  const delivered: Delivery[] = [];
  const writes: Buffer[] = [];
  const callbacks: (() => void)[] = [];
  const drains: (() => void)[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (packet) => {
    const { topic, qos, retain } = packet as IPublishPacket;
    delivered.push({ topic, qos, retain, brokerId: null });
  });
  const client = {
    closed: false,
    full: false,
    conn: {
      write: (chunk: Buffer | string) => {
        writes.push(Buffer.from(chunk));
        parser.parse(Buffer.from(chunk));
        return !client.full;
      },
      once: (_event: 'drain', listener: () => void) => drains.push(listener),
    },
    broker: {
      authorizeForward: (_client: Client, packet: { topic: string }) => {
        const topic = forward(packet.topic);
        if (topic === null) return null;
        packet.topic = topic; // in place, as the broker's does
        return packet;
      },
    },
    deliverQoS(packet: Delivery, done: () => void) {
      delivered.push(packet);
      callbacks.push(done);
    },
  };
  return { client, delivered, writes, callbacks, drains, asClient: client as unknown as Client };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function indexWith(entries: [topic: string, qos: number][]): RetainedIndex {
  const index = new RetainedIndex(
    async () => {},
    () => {},
  );
  for (const [topic, qos] of entries) index.store({ topic, payload: Buffer.from('v'), qos });
  return index;
}

const sub = (topic: string, qos: number) => ({ topic, qos }) as Subscription;

describe('deliverRetained', () => {
  it('sends each match once, at the lower of its QoS and the best matching grant', async () => {
    const index = indexWith([
      ['$demo/agents/a1/state', 1],
      ['$demo/agents/a2/state', 0],
      ['$demo/chat/general/messages', 1],
    ]);
    const { asClient, delivered } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/#', 0), sub('$demo/agents/+/state', 1)]);
    expect(delivered).toEqual([]); // the SUBACK leaves first, on its own
    await nextTurn();
    expect(delivered.map(({ topic, qos }) => `${topic}@${qos}`)).toEqual([
      '$demo/agents/a1/state@1',
      '$demo/agents/a2/state@0',
      '$demo/chat/general/messages@0',
    ]);
    expect(delivered.every((d) => d.retain && d.brokerId === null)).toBe(true);
  });

  it('skips refused filters', async () => {
    const index = indexWith([['$demo/agents/a1/state', 1]]);
    const { asClient, delivered } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/agents/+/state', 128)]);
    await nextTurn();
    expect(delivered).toEqual([]);
  });

  it('keeps at most RETAINED_WINDOW in flight and goes on as they are written', async () => {
    const total = RETAINED_WINDOW * 2 + 10;
    const index = indexWith(
      Array.from({ length: total }, (_, i) => [`$demo/agents/a${i}/state`, 1] as [string, number]),
    );
    const { asClient, delivered, callbacks } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/agents/+/state', 1)]);
    await nextTurn();
    expect(delivered).toHaveLength(RETAINED_WINDOW);
    callbacks.splice(0, 3).forEach((done) => done());
    expect(delivered).toHaveLength(RETAINED_WINDOW + 3);
    while (callbacks.length > 0) callbacks.shift()!();
    expect(delivered).toHaveLength(total);
    expect(new Set(delivered.map((d) => d.topic)).size).toBe(total);
  });

  it('writes QoS 0 matches at once, a window a turn, and waits for drain when the connection is full', async () => {
    const total = RETAINED_WINDOW * 2 + 10;
    const index = indexWith(
      Array.from({ length: total }, (_, i) => [`$demo/agents/a${i}/state`, 0] as [string, number]),
    );
    const { client, asClient, delivered, drains } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/agents/+/state', 1)]);
    await nextTurn();
    expect(delivered).toHaveLength(RETAINED_WINDOW);
    await nextTurn();
    expect(delivered).toHaveLength(RETAINED_WINDOW * 2);
    client.full = true;
    await nextTurn();
    expect(delivered).toHaveLength(RETAINED_WINDOW * 2 + 1); // the write that filled it
    await nextTurn();
    expect(delivered).toHaveLength(RETAINED_WINDOW * 2 + 1);
    client.full = false;
    drains.splice(0).forEach((drained) => drained());
    expect(delivered).toHaveLength(total);
    expect(new Set(delivered.map((d) => d.topic)).size).toBe(total);
    expect(delivered.every((d) => d.qos === 0 && d.retain)).toBe(true);
  });

  it("leaves out what the broker's authorizeForward refuses", async () => {
    const index = indexWith([
      ['$demo/agents/a1/state', 0],
      ['$demo/agents/a2/state', 0],
    ]);
    const { asClient, delivered } = fakeClient((topic) => (topic.includes('/a1/') ? null : topic));
    deliverRetained(index, asClient, [sub('$demo/agents/+/state', 0)]);
    await nextTurn();
    expect(delivered.map((d) => d.topic)).toEqual(['$demo/agents/a2/state']);
  });

  it('stops when the client has closed', async () => {
    const index = indexWith(
      Array.from(
        { length: RETAINED_WINDOW + 5 },
        (_, i) => [`$demo/agents/a${i}/state`, 1] as [string, number],
      ),
    );
    const { client, asClient, delivered, callbacks } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/agents/+/state', 1)]);
    await nextTurn();
    client.closed = true;
    callbacks.forEach((done) => done());
    expect(delivered).toHaveLength(RETAINED_WINDOW);
  });

  it('writes a QoS 0 message in one piece, as the client sees it, and its new value once it changes', async () => {
    const index = indexWith([]);
    const set = (value: string) =>
      index.store({ topic: '$o1/agents/a1/state', payload: Buffer.from(value), qos: 0 });
    const publish = (topic: string, value: string) =>
      mqttPacket.generate({
        cmd: 'publish',
        topic,
        payload: Buffer.from(value),
        qos: 0,
        retain: true,
        dup: false,
      });
    const unmount = (topic: string) => topic.replace(/^\$o1\//, '');
    const receive = async (forward: (topic: string) => string) => {
      const { asClient, writes } = fakeClient(forward);
      deliverRetained(index, asClient, [sub('$o1/agents/+/state', 0)]);
      await nextTurn();
      return writes;
    };

    set('one');
    expect(await receive(unmount)).toEqual([publish('agents/a1/state', 'one')]);
    expect(await receive(unmount)).toEqual([publish('agents/a1/state', 'one')]);
    // Another topic for the same message (another mount point, say): its own bytes.
    expect(await receive((topic) => `x/${unmount(topic)}`)).toEqual([
      publish('x/agents/a1/state', 'one'),
    ]);
    set('two');
    expect(await receive(unmount)).toEqual([publish('agents/a1/state', 'two')]);
  });
});
