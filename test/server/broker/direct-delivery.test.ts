import { EventEmitter } from 'node:events';
import type { AedesPublishPacket, Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it, vi } from 'vitest';
import { deliverDirectly, type DeliveryStore } from '../../../src/server/broker/direct-delivery';
import { DONE_IN_MEMORY } from '../../../src/server/broker/outgoing-cache';

// The client's delivery functions as aedes 1.2 has them (lib/client.js), without the waits:
// checked here against a stand-in for the aedes client that keeps what is written to it;
// the broker tests (persistent-delivery, delivery-order, hostile-input…) run them for real.

type Forward = (client: Client, packet: AedesPublishPacket) => AedesPublishPacket | null;

/** An aedes client as far as the deliveries see it, writing to a stream that keeps it all. */
function standIn(
  options: { clean?: boolean; forward?: Forward; full?: boolean; throws?: boolean } = {},
) {
  const written: mqttPacket.IPublishPacket[] = [];
  const parser = mqttPacket.parser();
  parser.on('packet', (packet) => written.push(packet as mqttPacket.IPublishPacket));
  const errors: Error[] = [];
  const drains: ((error?: Error | null) => void)[] = [];
  const conn = {
    write: (chunk: Buffer) => {
      if (options.throws) throw new Error('write after end');
      parser.parse(chunk);
      return !options.full;
    },
  };
  const client = Object.assign(new EventEmitter(), {
    id: 'alice-tab',
    clean: options.clean ?? false,
    connecting: false,
    connected: true,
    errored: false,
    conn,
    subscriptions: {} as Record<string, { qos: number }>,
    _nextId: 7,
    broker: {
      id: 'broker-1',
      counter: 100,
      authorizeForward:
        options.forward ?? ((_client: Client, packet: AedesPublishPacket) => packet),
    },
    _onError: vi.fn(),
    waitForDrain: (done: (error?: Error | null) => void) => drains.push(done),
    deliver0: undefined as unknown,
    deliverQoS: undefined as unknown,
  });
  client.on('error', (error: Error) => errors.push(error));
  const store = {
    outgoingUpdate: vi.fn<DeliveryStore['outgoingUpdate']>(() => DONE_IN_MEMORY),
    outgoingClearMessageId: vi.fn<DeliveryStore['outgoingClearMessageId']>(() =>
      Promise.resolve(undefined),
    ),
  };
  deliverDirectly(client as unknown as Client, store);
  type Deliver = (packet: AedesPublishPacket, done: () => void) => void;
  return {
    client,
    store,
    written,
    errors,
    drains,
    deliverQoS: client.deliverQoS as Deliver,
    deliver0: client.deliver0 as Deliver,
  };
}

const message = (fields: Partial<AedesPublishPacket> = {}) =>
  ({
    cmd: 'publish',
    topic: 'agents/agent-01/state',
    payload: Buffer.from('{"status":"working"}'),
    qos: 1,
    retain: false,
    dup: false,
    brokerId: 'broker-1',
    brokerCounter: 42,
    ...fields,
  }) as AedesPublishPacket;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('direct delivery', () => {
  it('writes a QoS 1 message held in memory at once, and calls back on a later turn', async () => {
    const { deliverQoS, written, store } = standIn();
    const done = vi.fn();
    deliverQoS(message(), done);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ topic: 'agents/agent-01/state', qos: 1, messageId: 7 });
    expect(store.outgoingUpdate).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ messageId: 7, brokerCounter: 42 }),
    );
    expect(done).not.toHaveBeenCalled(); // mqemitter is never called back in the same turn
    await nextTurn();
    expect(done).toHaveBeenCalledOnce();
  });

  it('waits for the store when it is writing to disk, then writes', async () => {
    const { deliverQoS, written, store } = standIn();
    let recorded!: () => void;
    store.outgoingUpdate.mockReturnValueOnce(new Promise<void>((resolve) => (recorded = resolve)));
    const done = vi.fn();
    deliverQoS(message(), done);
    await nextTurn();
    expect(written).toHaveLength(0);
    recorded();
    await vi.waitFor(() => expect(done).toHaveBeenCalledOnce());
    expect(written).toHaveLength(1);
  });

  it('reports a failed store write and calls back without sending', async () => {
    const { deliverQoS, written, store, errors } = standIn();
    store.outgoingUpdate.mockReturnValueOnce(Promise.reject(new Error('disk full')));
    const done = vi.fn();
    deliverQoS(message(), done);
    await vi.waitFor(() => expect(done).toHaveBeenCalledOnce());
    expect(written).toHaveLength(0);
    expect(errors.map((error) => error.message)).toEqual(['disk full']);
  });

  it('records nothing for a clean session or a retained message', () => {
    const clean = standIn({ clean: true });
    clean.deliverQoS(message(), () => {});
    expect(clean.written).toHaveLength(1);
    expect(clean.store.outgoingUpdate).not.toHaveBeenCalled();
    const persistent = standIn();
    persistent.deliverQoS(message({ retain: true }), () => {});
    expect(persistent.written[0]).toMatchObject({ retain: true });
    expect(persistent.store.outgoingUpdate).not.toHaveBeenCalled();
  });

  it('numbers deliveries from the client’s next id, wraps after 65535, and keeps a stored one', () => {
    const { client, deliverQoS, written } = standIn({ clean: true });
    client._nextId = 65_534;
    for (const counter of [1, 2, 3]) deliverQoS(message({ brokerCounter: counter }), () => {});
    deliverQoS(message({ brokerCounter: 4, messageId: 300, dup: true }), () => {});
    expect(written.map((packet) => packet.messageId)).toEqual([65_534, 65_535, 1, 300]);
    expect(written[3]).toMatchObject({ dup: true });
    expect(client._nextId).toBe(2);
  });

  it('gives each delivery its own copy: the message it was handed stays as it was', () => {
    const { deliverQoS, written } = standIn({ clean: true });
    const original = message();
    deliverQoS(original, () => {});
    deliverQoS(original, () => {});
    expect(original.messageId).toBeUndefined();
    expect(written.map((packet) => packet.messageId)).toEqual([7, 8]);
  });

  it('sends nothing refused by authorizeForward, and clears what a persistent session queued for it', async () => {
    const refuse: Forward = () => null;
    for (const clean of [false, true]) {
      const { deliverQoS, deliver0, written, store } = standIn({ clean, forward: refuse });
      const done = vi.fn();
      deliverQoS(message(), done);
      deliver0(message({ qos: 0 }), done);
      await nextTurn();
      expect(written).toHaveLength(0);
      expect(done).toHaveBeenCalledTimes(2);
      expect(store.outgoingClearMessageId).toHaveBeenCalledTimes(clean ? 0 : 1);
    }
  });

  it('sends what authorizeForward hands back, not what came in', () => {
    const { deliverQoS, written } = standIn({
      forward: (_client, packet) => ({ ...packet, topic: 'agents/agent-01/state-renamed' }),
    });
    deliverQoS(message(), () => {});
    expect(written[0]).toMatchObject({ topic: 'agents/agent-01/state-renamed' });
  });

  it('sends a QoS 0 message at QoS 0, even one that came in at QoS 1', async () => {
    const { deliver0, written, store } = standIn();
    const done = vi.fn();
    deliver0(message(), done);
    expect(written[0]).toMatchObject({ qos: 0 });
    expect(store.outgoingUpdate).not.toHaveBeenCalled();
    await nextTurn();
    expect(done).toHaveBeenCalledOnce();
  });

  it('waits for a full socket to drain before calling back', async () => {
    const { deliverQoS, drains } = standIn({ full: true });
    const done = vi.fn();
    deliverQoS(message(), done);
    await nextTurn();
    expect(done).not.toHaveBeenCalled();
    expect(drains).toHaveLength(1);
    drains[0]!();
    expect(done).toHaveBeenCalledOnce();
  });

  it('sends a QoS 0 message on a QoS 1 subscription at QoS 0, with no message id or record', async () => {
    const { client, deliverQoS, written, store } = standIn();
    const done = vi.fn();
    deliverQoS(message({ qos: 0 }), done);
    expect(written[0]).toMatchObject({ qos: 0 });
    expect(written[0]!.messageId).toBeUndefined();
    expect(client._nextId).toBe(7);
    expect(store.outgoingUpdate).not.toHaveBeenCalled();
    await nextTurn();
    expect(done).toHaveBeenCalledOnce();
  });

  it('calls a client that has errored back at once, without waiting for a drain', async () => {
    const { client, deliverQoS, drains } = standIn({ full: true });
    client.errored = true;
    const done = vi.fn();
    deliverQoS(message(), done);
    await nextTurn();
    expect(drains).toHaveLength(0);
    expect(done).toHaveBeenCalledOnce();
  });

  it('reports a packet the stream refuses, and calls back once', async () => {
    const { deliverQoS, deliver0, errors, client } = standIn({ clean: true, throws: true });
    const done = vi.fn();
    deliverQoS(message(), done);
    deliver0(message({ qos: 0 }), done);
    await nextTurn();
    await nextTurn();
    expect(errors.map((error) => error.message)).toEqual(['packet received not valid']);
    expect(client._onError).toHaveBeenCalledWith(new Error('packet received not valid'));
    expect(done).toHaveBeenCalledTimes(2);
  });

  it('reports a write to a closed connection and still calls back', async () => {
    const { client, deliverQoS, deliver0, written, errors } = standIn({ clean: true });
    client.connected = false;
    const done = vi.fn();
    deliverQoS(message(), done);
    deliver0(message({ qos: 0 }), done);
    await nextTurn();
    expect(written).toHaveLength(0);
    expect(errors.map((error) => error.message)).toEqual(['connection closed']);
    expect(client._onError).toHaveBeenCalledWith(new Error('connection closed'));
    expect(done).toHaveBeenCalledTimes(2);
  });
});
