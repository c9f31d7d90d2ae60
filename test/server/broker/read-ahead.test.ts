import net from 'node:net';
import { once } from 'node:events';
import { Aedes, type AuthenticateHandler, type AuthorizePublishHandler } from 'aedes';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { READ_AHEAD_PACKETS, readAhead } from '../../../src/server/broker/read-ahead';
import { eventually } from '../support/eventually';

// A connection is read again while its earlier packets are still being handled, up to
// READ_AHEAD_PACKETS of them. Checked on a plain aedes over real TCP, with an
// authorizePublish that holds chosen publishes: aedes counts a PUBLISH as handled only
// once it has been authorized, acknowledged and routed.

type Held = { topic: string; release: () => void };

async function startBroker(options: { readAhead: boolean }) {
  const authorized: string[] = [];
  const held: Held[] = [];
  const authorizePublish: AuthorizePublishHandler = (_client, packet, callback) => {
    authorized.push(packet.topic);
    if (packet.topic.startsWith('hold/')) {
      held.push({ topic: packet.topic, release: () => callback(null) });
    } else callback(null);
  };
  // Held authentications (scrypt and the database take a while in Switchboard).
  const authenticating: (() => void)[] = [];
  const authenticate: AuthenticateHandler = (_client, username, _password, callback) => {
    if (username === 'slow') authenticating.push(() => callback(null, true));
    else callback(null, true);
  };
  const aedes = await Aedes.createBroker({ authorizePublish, authenticate });
  const server = net.createServer((socket) => {
    const client = aedes.handle(socket);
    if (options.readAhead) readAhead(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const sockets: net.Socket[] = [];

  const publish = (topic: string, messageId: number) =>
    mqttPacket.generate({
      cmd: 'publish',
      topic,
      payload: Buffer.from(String(messageId)),
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    });
  const connectPacket = (clientId: string, username = 'quick') =>
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId,
      username,
      keepalive: 0,
    });
  /** A socket to the broker; `first`: its first write (a CONNECT, and what comes with it). */
  const open = async (first: Buffer) => {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    const packets: Packet[] = [];
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    parser.on('packet', (packet: Packet) => packets.push(packet));
    await once(socket, 'connect');
    socket.write(first);
    return { socket, packets };
  };
  const connect = async (clientId: string) => {
    const { socket, packets } = await open(connectPacket(clientId));
    await eventually(() => packets.some((p) => p.cmd === 'connack'));
    return { socket, packets, publish };
  };

  return {
    authorized,
    held,
    authenticating,
    connect,
    open,
    connectPacket,
    publish,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
const pubackIds = (packets: Packet[]) =>
  packets.flatMap((p) => (p.cmd === 'puback' ? [p.messageId] : []));

let broker: Awaited<ReturnType<typeof startBroker>> | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

describe('reading a connection ahead', () => {
  // Two held in one write: aedes alone reads again on new data only when a single packet
  // is being handled (its first 'readable' takes one off its count).
  const holdTwoThenSendOne = async () => {
    const { socket, packets, publish } = await broker!.connect('sender');
    socket.write(Buffer.concat([publish('hold/first', 1), publish('hold/second', 2)]));
    await eventually(() => broker!.held.length === 2);
    socket.write(publish('next/third', 3));
    return { packets };
  };

  it('reads a publish that arrives while earlier ones are still being handled', async () => {
    broker = await startBroker({ readAhead: true });
    const { packets } = await holdTwoThenSendOne();
    await eventually(() => broker!.authorized.includes('next/third'));
    await eventually(() => pubackIds(packets).includes(3));

    for (const held of broker.held) held.release();
    await eventually(() => pubackIds(packets).length === 3);
    expect(broker.authorized).toEqual(['hold/first', 'hold/second', 'next/third']);
  });

  it('is what aedes alone does not do (the case above, without it)', async () => {
    broker = await startBroker({ readAhead: false });
    const { packets } = await holdTwoThenSendOne();
    await settle();
    expect(broker.authorized).toEqual(['hold/first', 'hold/second']);
    for (const held of broker.held) held.release();
    await eventually(() => pubackIds(packets).length === 3);
    expect(broker.authorized).toEqual(['hold/first', 'hold/second', 'next/third']);
  });

  it('handles what came with the CONNECT before what came while it was authenticated', async () => {
    broker = await startBroker({ readAhead: true });
    const { connectPacket, publish } = broker;
    const { socket, packets } = await broker.open(
      Buffer.concat([connectPacket('slow-one', 'slow'), publish('with/connect', 1)]),
    );
    await eventually(() => broker!.authenticating.length === 1);
    socket.write(publish('after/connect', 2)); // arrives while the client is paused
    await settle();
    broker.authenticating[0]!();
    await eventually(() => pubackIds(packets).length === 2);
    expect(broker.authorized).toEqual(['with/connect', 'after/connect']);
  });

  it(`stops reading once more than ${READ_AHEAD_PACKETS} are being handled, then goes on in order`, async () => {
    broker = await startBroker({ readAhead: true });
    const { socket, packets, publish } = await broker.connect('sender');
    const batch = READ_AHEAD_PACKETS / 2;
    const topics: string[] = [];
    let id = 0;
    for (let write = 0; write < 5; write++) {
      const bytes: Buffer[] = [];
      for (let i = 0; i < batch; i++) {
        id++;
        topics.push(`hold/${id}`);
        bytes.push(publish(`hold/${id}`, id));
      }
      socket.write(Buffer.concat(bytes));
      await settle(); // one write, one read: the bound is checked between reads
    }
    // Read with 0, 32 and 64 being handled; with 96, the fourth write waits.
    expect(broker.authorized).toHaveLength(3 * batch);
    expect(pubackIds(packets)).toEqual([]);

    // As the held ones finish, the rest is read, in the order sent.
    for (let released = 0; released < topics.length; released++) {
      await eventually(() => broker!.held.length > released);
      broker.held[released]!.release();
    }
    await eventually(() => pubackIds(packets).length === topics.length);
    expect(broker.authorized).toEqual(topics);
    expect(pubackIds(packets)).toEqual(topics.map((_, i) => i + 1));
  });
});
