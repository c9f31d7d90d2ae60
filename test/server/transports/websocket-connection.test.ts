import { finished } from 'node:stream';
import type { Writable } from 'node:stream';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually';
import {
  CLOSE_GRACE_MS,
  MAX_BATCH_BYTES,
  READ_HIGH_WATER_BYTES,
  WRITE_HIGH_WATER_BYTES,
  WebSocketTransportError,
  type WebSocketConnection,
} from '../../../src/server/broker/transports/websocket-connection';
import {
  clientFrame,
  closeCodeIn,
  nextTurn,
  rawPair,
  readAll,
  recordFrames,
  sleep,
  wsPair,
} from './ws-pair';

const BINARY_OPCODE = 0x2;
const CLOSE_PROTOCOL_ERROR = 1_002;
const CLOSE_UNSUPPORTED_DATA = 1_003;
const CLOSE_ABNORMAL = 1_006;
const CLOSE_MESSAGE_TOO_BIG = 1_009;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function pair(maxPayload?: number) {
  const p = await wsPair(maxPayload);
  closers.push(() => p.close());
  return p;
}
async function raw(maxPayload?: number) {
  const p = await rawPair(maxPayload);
  closers.push(() => p.close());
  return p;
}

const publish = (topic: string, payload: string | Buffer, messageId?: number): IPublishPacket => ({
  cmd: 'publish',
  topic,
  payload: Buffer.from(payload),
  qos: messageId === undefined ? 0 : 1,
  dup: false,
  retain: false,
  ...(messageId === undefined ? {} : { messageId }),
});
const bytesOf = (packet: Packet) => mqttPacket.generate(packet);

/** What aedes does with the connection: write packets the way mqtt-packet writes them. */
const send = (connection: WebSocketConnection, packet: Packet) =>
  mqttPacket.writeToStream(packet, connection as unknown as Writable);

/** Parses what was read, as aedes' parser does. */
function parsePackets(chunks: Buffer[]): Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  parser.on('packet', (packet) => packets.push(packet));
  parser.on('error', (error) => {
    throw error;
  });
  for (const chunk of chunks) parser.parse(chunk);
  return packets;
}

/** Reacts to errors as aedes does: destroys the connection with the error. */
function actLikeAedes(connection: WebSocketConnection): Error[] {
  const errors: Error[] = [];
  connection.on('error', (error: Error) => {
    errors.push(error);
    connection.destroy(error);
  });
  return errors;
}

function closeEvents(connection: WebSocketConnection): { count: number } {
  const seen = { count: 0 };
  connection.on('close', () => seen.count++);
  return seen;
}

describe('reading MQTT from WebSocket frames [MQTT-6.0.0-2]', () => {
  it('reassembles a packet split across frames', async () => {
    const { connection, client } = await pair();
    const reads = readAll(connection);
    const bytes = bytesOf(publish('agents/agent-01/state', 'x'.repeat(300)));
    for (const cut of [
      [0, 1],
      [1, 3],
      [3, 200],
      [200, bytes.length],
    ] as const) {
      client.send(bytes.subarray(cut[0], cut[1]));
    }
    await eventually(() => reads.reduce((n, r) => n + r.length, 0) === bytes.length, 3_000);
    const [packet] = parsePackets(reads) as IPublishPacket[];
    expect(packet?.topic).toBe('agents/agent-01/state');
    expect(packet?.payload.toString()).toBe('x'.repeat(300));
  });

  it('hands over several packets coalesced in one frame, in order', async () => {
    const { connection, client } = await pair();
    const reads = readAll(connection);
    const packets = [1, 2, 3].map((n) => publish(`chat/r${n}/messages`, `m${n}`, n));
    client.send(Buffer.concat(packets.map(bytesOf)));
    await eventually(() => reads.length > 0, 3_000);
    const parsed = parsePackets(reads) as IPublishPacket[];
    expect(parsed.map((p) => [p.topic, p.messageId])).toEqual([
      ['chat/r1/messages', 1],
      ['chat/r2/messages', 2],
      ['chat/r3/messages', 3],
    ]);
  });

  it('has ws parse small frames that arrive together as one (frame-coalescer.ts)', async () => {
    const { connection, socket, ws } = await raw();
    const reads = readAll(connection);
    const parsed: Buffer[] = [];
    ws.on('message', (data: Buffer) => parsed.push(data));
    // A PUBACK as mqtt.js in Node sends it: three frames, written at once.
    const pieces = [[0x40], [0x02], [0x00, 0x07]].map((piece) => Buffer.from(piece));
    socket.write(Buffer.concat(pieces.map((piece) => clientFrame(BINARY_OPCODE, piece))));
    await eventually(() => reads.length > 0, 3_000);
    expect(parsed).toEqual([Buffer.from([0x40, 0x02, 0x00, 0x07])]);
    expect(parsePackets(reads)).toMatchObject([{ cmd: 'puback', messageId: 7 }]);
  });

  it('gives a frame read at once as it arrived, and frames that waited in order', async () => {
    const { connection, client } = await pair();
    const single = readAll(connection);
    client.send(Buffer.from([1, 2, 3]));
    await eventually(() => single.length === 1, 3_000);
    expect([...(single[0] ?? [])]).toEqual([1, 2, 3]);
    connection.removeAllListeners('readable');

    // Nobody reads while these arrive, as when aedes is busy with earlier packets.
    client.send(Buffer.from([4]));
    client.send(Buffer.from([5, 6]));
    await sleep(50);
    expect([...(connection.read() ?? [])]).toEqual([4, 5, 6]);
    expect(connection.read()).toBeNull();
  });

  it('stops reading the socket while the reader falls behind, and resumes when it reads', async () => {
    const { connection, client, ws } = await pair();
    const frame = Buffer.alloc(READ_HIGH_WATER_BYTES / 4);
    for (let i = 0; i < 6; i++) client.send(frame);
    await eventually(() => ws.isPaused, 3_000);
    expect(connection.read()?.length).toBeGreaterThanOrEqual(READ_HIGH_WATER_BYTES);
    expect(ws.isPaused).toBe(false);
  });

  it('refuses a text frame by closing with 1003 [MQTT-6.0.0-1]', async () => {
    const { connection, client } = await pair();
    const errors = actLikeAedes(connection);
    const { closed } = recordFrames(client);
    client.send('{"not":"mqtt"}');
    expect(await closed).toBe(CLOSE_UNSUPPORTED_DATA);
    expect(errors[0]).toBeInstanceOf(WebSocketTransportError);
    expect((errors[0] as WebSocketTransportError).code).toBe('text_frame');
  });

  it('refuses a frame over maxPayload by closing with 1009', async () => {
    const { connection, client } = await pair(1_024);
    const errors = actLikeAedes(connection);
    const closes = closeEvents(connection);
    const { closed } = recordFrames(client);
    client.send(Buffer.alloc(2_048));
    expect(await closed).toBe(CLOSE_MESSAGE_TOO_BIG);
    expect(errors).toHaveLength(1);
    await eventually(() => closes.count === 1, 3_000);
  });

  it('refuses a malformed frame (unmasked from a client) by closing with 1002', async () => {
    const { connection, socket, received } = await raw();
    const errors = actLikeAedes(connection);
    const closes = closeEvents(connection);
    socket.write(clientFrame(BINARY_OPCODE, Buffer.from([0x10, 0x00]), false));
    await eventually(() => closes.count === 1, 3_000);
    expect(errors).toHaveLength(1);
    expect(closeCodeIn(received())).toBe(CLOSE_PROTOCOL_ERROR);
  });
});

describe('writing MQTT as WebSocket frames', () => {
  it('sends the writes of one turn as one binary frame', async () => {
    const { connection, client } = await pair();
    const { frames, binary } = recordFrames(client);
    const first = publish('agents/agent-01/state', '{"status":"idle"}');
    const second = publish('agents/agent-02/state', '{"status":"working"}', 7);
    send(connection, first); // mqtt-packet writes this in five pieces
    send(connection, second);
    await eventually(() => frames.length > 0, 3_000);
    await sleep(20);
    expect(frames).toHaveLength(1);
    expect(binary).toEqual([true]);
    expect(frames[0]?.equals(Buffer.concat([bytesOf(first), bytesOf(second)]))).toBe(true);
  });

  it('runs beforeSend before each frame leaves (the history commit before PUBACKs)', async () => {
    const events: string[] = [];
    const p = await wsPair(undefined, () => events.push('before send'));
    closers.push(() => p.close());
    const send_ = p.ws.send.bind(p.ws);
    p.ws.send = ((...args: Parameters<typeof p.ws.send>) => {
      events.push('send');
      return send_(...args);
    }) as typeof p.ws.send;
    send(p.connection, { cmd: 'puback', messageId: 1 });
    send(p.connection, { cmd: 'puback', messageId: 2 });
    await nextTurn();
    send(p.connection, { cmd: 'puback', messageId: 3 });
    await nextTurn();
    expect(events).toEqual(['before send', 'send', 'before send', 'send']);
  });

  it('keeps later turns in later frames, in order', async () => {
    const { connection, client } = await pair();
    const { frames } = recordFrames(client);
    const packets = [1, 2, 3].map((n) => publish(`chat/r/messages`, `m${n}`, n));
    for (const packet of packets) {
      send(connection, packet);
      await nextTurn();
    }
    await eventually(() => frames.length === 3, 3_000);
    expect(frames.map((f) => f.toString('hex'))).toEqual(
      packets.map((p) => bytesOf(p).toString('hex')),
    );
  });

  it('splits a large burst into bounded frames without reordering bytes', async () => {
    const { connection, client } = await pair(16 * 1_024 * 1_024);
    const { frames } = recordFrames(client);
    const CHUNK_BYTES = 20_000;
    const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(CHUNK_BYTES, i));
    for (const chunk of chunks) connection.write(chunk);
    const total = CHUNK_BYTES * chunks.length;
    await eventually(() => frames.reduce((n, f) => n + f.length, 0) === total, 3_000);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame.length).toBeLessThan(MAX_BATCH_BYTES + CHUNK_BYTES);
    expect(Buffer.concat(frames).equals(Buffer.concat(chunks))).toBe(true);
  });
});

describe('backpressure', () => {
  it("returns false past the high-water mark and emits 'drain' only once the peer reads", async () => {
    const { connection, client, ws } = await pair(64 * 1_024 * 1_024);
    let received = 0;
    client.on('message', (data: Buffer) => (received += data.length));
    let drains = 0;
    connection.on('drain', () => drains++);
    client.pause(); // a consumer that stopped reading: the kernel buffers fill, then ws'

    const chunk = Buffer.alloc(WRITE_HIGH_WATER_BYTES / 2, 0x61);
    let written = 0;
    let refused = false;
    const MAX_WRITES = 2_000; // ≤ 64 MiB, far more than loopback's socket buffers hold
    for (let i = 0; i < MAX_WRITES && ws.bufferedAmount < 8 * WRITE_HIGH_WATER_BYTES; i++) {
      refused = !connection.write(chunk) || refused;
      written += chunk.length;
      await nextTurn();
    }
    expect(refused).toBe(true);
    expect(connection.write(chunk)).toBe(false); // still far behind
    written += chunk.length;
    const drainsWhileStuck = drains;
    await sleep(100);
    expect(drains).toBe(drainsWhileStuck);

    client.resume();
    await eventually(() => drains > drainsWhileStuck, 3_000);
    await eventually(() => received === written, 10_000);
  });
});

describe('closing', () => {
  it('destroy() sends what is queued first, then closes normally, once', async () => {
    const { connection, client } = await pair();
    const closes = closeEvents(connection);
    const { frames, closed } = recordFrames(client);
    const connack: Packet = { cmd: 'connack', returnCode: 5, sessionPresent: false };
    send(connection, connack); // a refusal aedes writes just before it destroys
    connection.destroy();
    expect(await closed).toBe(1_000);
    expect(frames.map((f) => f.toString('hex'))).toEqual([bytesOf(connack).toString('hex')]);
    await eventually(() => closes.count === 1, 3_000);
    await sleep(20);
    expect(closes.count).toBe(1);
  });

  it('destroy(error) drops what is queued and cuts the connection', async () => {
    const { connection, client } = await pair();
    const { frames, closed } = recordFrames(client);
    send(connection, publish('a/b', 'never sent'));
    connection.destroy(new Error('drain timeout'));
    expect(await closed).toBe(CLOSE_ABNORMAL);
    expect(frames).toHaveLength(0);
  });

  it('survives the peer vanishing in the middle of a write burst', async () => {
    const { connection, client } = await pair();
    const closes = closeEvents(connection);
    const errors = actLikeAedes(connection);
    let stop = false;
    const burst = (async () => {
      while (!stop) {
        for (let i = 0; i < 50; i++) send(connection, publish('a/b', 'x'.repeat(500)));
        await nextTurn();
      }
    })();
    await sleep(20);
    client.terminate();
    await eventually(() => closes.count === 1, 3_000);
    expect(send(connection, publish('a/b', 'late'))).toBe(false);
    stop = true;
    await burst;
    expect(errors).toEqual([]);
    expect(connection.destroyed).toBe(true);
  });

  it('still hands over what arrived before the peer hung up, then closes', async () => {
    const { connection, client } = await pair();
    const closes = closeEvents(connection);
    const packet = bytesOf(publish('agents/agent-01/state', 'last words'));
    client.send(packet);
    client.close();
    await sleep(50); // aedes busy elsewhere: nothing read yet
    expect(closes.count).toBe(0);
    expect(connection.read()?.equals(packet)).toBe(true);
    await eventually(() => closes.count === 1, 3_000);
  });

  it('cuts off a peer that never answers the closing handshake', async () => {
    const { connection, socket } = await raw();
    const closes = closeEvents(connection);
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    connection.destroy(); // the raw peer reads the close frame but never replies
    const started = Date.now();
    await socketClosed;
    await eventually(() => closes.count === 1, 3_000);
    expect(Date.now() - started).toBeLessThan(CLOSE_GRACE_MS * 3);
  });

  it('ends through stream.finished, which aedes uses to clean up a client', async () => {
    const { connection, client } = await pair();
    const ended = new Promise<void>((resolve) =>
      finished(connection as unknown as Writable, () => resolve()),
    );
    client.close();
    await ended;
  });
});
