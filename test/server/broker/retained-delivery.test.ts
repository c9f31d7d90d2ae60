import type { Client, Subscription } from 'aedes';
import { describe, expect, it } from 'vitest';
import { deliverRetained, RETAINED_WINDOW } from '../../../src/server/broker/retained-delivery';
import { RetainedIndex } from '../../../src/server/broker/retained-index';

interface Delivery {
  topic: string;
  qos: number;
  retain: boolean;
  brokerId: string | null;
}

/** A client whose deliveries complete only when the test says so. */
function fakeClient() {
  const delivered: Delivery[] = [];
  const callbacks: (() => void)[] = [];
  const client = {
    closed: false,
    deliverQoS(packet: Delivery, done: () => void) {
      delivered.push(packet);
      callbacks.push(done);
    },
  };
  return { client, delivered, callbacks, asClient: client as unknown as Client };
}

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
  it('sends each match once, at the lower of its QoS and the best matching grant', () => {
    const index = indexWith([
      ['$demo/agents/a1/state', 1],
      ['$demo/agents/a2/state', 0],
      ['$demo/chat/general/messages', 1],
    ]);
    const { asClient, delivered } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/#', 0), sub('$demo/agents/+/state', 1)]);
    expect(delivered.map(({ topic, qos }) => `${topic}@${qos}`)).toEqual([
      '$demo/agents/a1/state@1',
      '$demo/agents/a2/state@0',
      '$demo/chat/general/messages@0',
    ]);
    expect(delivered.every((d) => d.retain && d.brokerId === null)).toBe(true);
  });

  it('skips refused filters', () => {
    const index = indexWith([['$demo/agents/a1/state', 1]]);
    const { asClient, delivered } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/agents/+/state', 128)]);
    expect(delivered).toEqual([]);
  });

  it('keeps at most RETAINED_WINDOW in flight and goes on as they are written', () => {
    const total = RETAINED_WINDOW * 2 + 10;
    const index = indexWith(
      Array.from({ length: total }, (_, i) => [`$demo/agents/a${i}/state`, 1] as [string, number]),
    );
    const { asClient, delivered, callbacks } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/agents/+/state', 1)]);
    expect(delivered).toHaveLength(RETAINED_WINDOW);
    callbacks.splice(0, 3).forEach((done) => done());
    expect(delivered).toHaveLength(RETAINED_WINDOW + 3);
    while (callbacks.length > 0) callbacks.shift()!();
    expect(delivered).toHaveLength(total);
    expect(new Set(delivered.map((d) => d.topic)).size).toBe(total);
  });

  it('stops when the client has closed', () => {
    const index = indexWith(
      Array.from(
        { length: RETAINED_WINDOW + 5 },
        (_, i) => [`$demo/agents/a${i}/state`, 1] as [string, number],
      ),
    );
    const { client, asClient, delivered, callbacks } = fakeClient();
    deliverRetained(index, asClient, [sub('$demo/agents/+/state', 1)]);
    client.closed = true;
    callbacks.forEach((done) => done());
    expect(delivered).toHaveLength(RETAINED_WINDOW);
  });
});
