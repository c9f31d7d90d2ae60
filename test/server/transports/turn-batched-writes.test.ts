import net from 'node:net';
import { once } from 'node:events';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { batchWritesPerTurn } from '../../../src/server/broker/transports/turn-batched-writes';

// A real loopback connection: the server side is batched, the client side reads what
// arrives. Packets are written as aedes writes them (mqtt-packet's writeToStream: cork,
// write, uncork on the next tick), each in a tick of its own.

interface Pair {
  server: net.Socket;
  client: net.Socket;
  received: () => Buffer;
  /** How many system writes the server side made (`_write` or `_writev` calls). */
  writes: () => number;
}

const listeners: net.Server[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(
    listeners.splice(0).map((listener) => new Promise((resolve) => listener.close(resolve))),
  );
});

async function connectedPair(batched: boolean, beforeSend?: () => void): Promise<Pair> {
  const listener = net.createServer();
  listeners.push(listener);
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  const [server] = (await once(listener, 'connection')) as [net.Socket];
  sockets.push(client, server);
  if (batched) batchWritesPerTurn(server, beforeSend);
  let writes = 0;
  const write = server._write.bind(server);
  const writev = server._writev!.bind(server);
  server._write = (...args) => {
    writes++;
    write(...args);
  };
  server._writev = (...args) => {
    writes++;
    writev(...args);
  };
  const chunks: Buffer[] = [];
  client.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { server, client, received: () => Buffer.concat(chunks), writes: () => writes };
}

const puback = (messageId: number) => mqttPacket.generate({ cmd: 'puback', messageId });

/** Writes each packet in a tick of its own, as aedes' handlers do; resolves after the turn. */
function writeInSeparateTicks(socket: net.Socket, ids: number[]): Promise<void> {
  return new Promise((resolve) => {
    const next = (i: number) => {
      if (i === ids.length) return setImmediate(resolve);
      mqttPacket.writeToStream({ cmd: 'puback', messageId: ids[i]! }, socket);
      process.nextTick(next, i + 1);
    };
    next(0);
  });
}

async function receivedBytes(pair: Pair, length: number): Promise<Buffer> {
  while (pair.received().length < length) await once(pair.client, 'data');
  return pair.received();
}

describe('batchWritesPerTurn', () => {
  it('sends the packets written in one turn with one system write, bytes in order', async () => {
    const pair = await connectedPair(true);
    const ids = [1, 2, 3, 4, 5];
    await writeInSeparateTicks(pair.server, ids);
    const expected = Buffer.concat(ids.map(puback));
    expect(await receivedBytes(pair, expected.length)).toEqual(expected);
    expect(pair.writes()).toBe(1);
  });

  it('gathers plain writes too, with no cork around them (packets encoded ahead)', async () => {
    const pair = await connectedPair(true);
    const ids = [1, 2, 3, 4, 5];
    for (const id of ids) pair.server.write(puback(id));
    await new Promise((resolve) => setImmediate(resolve));
    const expected = Buffer.concat(ids.map(puback));
    expect(await receivedBytes(pair, expected.length)).toEqual(expected);
    expect(pair.writes()).toBe(1);
  });

  it('without it, the same writes are one system write per packet (what it saves)', async () => {
    const pair = await connectedPair(false);
    await writeInSeparateTicks(pair.server, [1, 2, 3, 4, 5]);
    await receivedBytes(pair, 5 * puback(1).length);
    expect(pair.writes()).toBe(5);
  });

  it('each turn gets its own write', async () => {
    const pair = await connectedPair(true);
    await writeInSeparateTicks(pair.server, [1, 2]);
    await writeInSeparateTicks(pair.server, [3]);
    const expected = Buffer.concat([1, 2, 3].map(puback));
    expect(await receivedBytes(pair, expected.length)).toEqual(expected);
    expect(pair.writes()).toBe(2);
  });

  it('runs beforeSend before each turn’s writes leave (the history commit before PUBACKs)', async () => {
    const writesBefore: number[] = [];
    const pair = await connectedPair(true, () => writesBefore.push(pair.writes()));
    await writeInSeparateTicks(pair.server, [1, 2]);
    await writeInSeparateTicks(pair.server, [3]);
    await receivedBytes(pair, 3 * puback(1).length);
    expect(writesBefore).toEqual([0, 1]); // once a turn, each time before its write
  });

  it('a packet is out before a setImmediate queued after its write runs', async () => {
    // aedes destroys a refused client in the setImmediate it queues after the CONNACK.
    const pair = await connectedPair(true);
    const connack = { cmd: 'connack', returnCode: 5, sessionPresent: false } as const;
    mqttPacket.writeToStream(connack, pair.server);
    setImmediate(() => pair.server.destroy());
    const expected = mqttPacket.generate(connack);
    expect(await receivedBytes(pair, expected.length)).toEqual(expected);
  });

  it('end() sends what is waiting, then ends', async () => {
    const pair = await connectedPair(true);
    mqttPacket.writeToStream({ cmd: 'puback', messageId: 7 }, pair.server);
    pair.server.end();
    await once(pair.client, 'end');
    expect(pair.received()).toEqual(puback(7));
  });

  it('reports backpressure past the high-water mark and drains once sent', async () => {
    const pair = await connectedPair(true);
    const big = Buffer.alloc(pair.server.writableHighWaterMark, 1);
    const accepted = mqttPacket.writeToStream(
      { cmd: 'publish', topic: 't', payload: big, qos: 0, retain: false, dup: false },
      pair.server,
    );
    expect(accepted).toBe(false);
    await once(pair.server, 'drain');
    expect((await receivedBytes(pair, big.length)).length).toBeGreaterThan(big.length);
  });
});
