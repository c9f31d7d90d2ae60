import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { connect, connectBytes, json, record, waitForMessage } from '../support/mqtt-clients';
import { DEMO_PASSWORD } from '../support/test-server';
import { useWatchedServer } from '../support/watched-server';

const MAX_PACKET_BYTES = 4_096;
const fixture = useWatchedServer({ maxPacketBytes: MAX_PACKET_BYTES, transport: 'tcp' });

/** A raw TCP connection: resolves when the server closes it. */
function rawSocket(): Promise<{ socket: net.Socket; closed: Promise<void>; received: Buffer[] }> {
  const url = new URL(fixture.server.mqttUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () =>
      resolve({ socket, closed, received }),
    );
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', reject);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
  });
}

const packet = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);
const connectPacket = (clientId: string) => connectBytes(clientId, 'agent-01@demo', DEMO_PASSWORD);

describe('malformed and hostile traffic is refused without harming anyone else', () => {
  it('garbage bytes before CONNECT close that connection', async () => {
    const { socket, closed } = await rawSocket();
    socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await closed;
    await fixture.stillServes();
  });

  it('a packet larger than MAX_PACKET_BYTES closes that connection before its body arrives', async () => {
    const { socket, closed } = await rawSocket();
    socket.write(connectPacket('big'));
    const huge = packet({
      cmd: 'publish',
      topic: 'agents/agent-01/state',
      payload: Buffer.alloc(MAX_PACKET_BYTES * 4, 0x61),
      qos: 0,
      retain: false,
    });
    socket.write(huge.subarray(0, 16)); // only the header: the size alone is enough to refuse
    await closed;
    await fixture.stillServes();
  });

  it('a packet split across many writes is reassembled', async () => {
    const { socket } = await rawSocket();
    const seen = record(fixture.watcher);
    const bytes = Buffer.concat([
      connectPacket('split'),
      packet({
        cmd: 'publish',
        topic: 'agents/agent-01/state',
        payload: json({ status: 'working', detail: 'split', updatedAt: 1 }),
        qos: 0,
        retain: false,
      }),
    ]);
    for (let i = 0; i < bytes.length; i += 7) {
      socket.write(bytes.subarray(i, i + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitForMessage(seen, (m) => m.payload.includes('"split"'));
    socket.destroy();
  });

  it.each([
    ['a NUL in the topic', 'agents/agent-01/st\u0000ate'],
    [
      'invalid UTF-8 in the topic',
      Buffer.from([0x61, 0x67, 0x65, 0x6e, 0x74, 0x73, 0x2f, 0xff]).toString('latin1'),
    ],
    ['too many levels', 'agents/agent-01/state/' + Array(40).fill('x').join('/')],
    ['a __proto__ level', 'agents/__proto__/state'],
  ])('a publish with %s is dropped', async (_, topic) => {
    const { socket } = await rawSocket();
    const seen = record(fixture.watcher);
    const topicBytes = Buffer.from(topic, 'latin1');
    // Built by hand so the topic's bytes go out exactly as given.
    const body = Buffer.concat([
      Buffer.from([topicBytes.length >> 8, topicBytes.length & 0xff]),
      topicBytes,
      Buffer.from(json({ status: 'error', detail: 'hostile', updatedAt: 1 })),
    ]);
    socket.write(
      Buffer.concat([connectPacket(`h-${Math.random()}`), Buffer.from([0x30, body.length]), body]),
    );
    await fixture.stillServes();
    expect(seen.some((m) => m.payload.includes('hostile'))).toBe(false);
    socket.destroy();
  });

  it('publishing + or # in a topic name closes that connection [MQTT-3.3.2-2]', async () => {
    const { socket, closed } = await rawSocket();
    const topic = Buffer.from('agents/+/state');
    const body = Buffer.concat([Buffer.from([0, topic.length]), topic, Buffer.from('{}')]);
    socket.write(Buffer.concat([connectPacket('wild'), Buffer.from([0x30, body.length]), body]));
    await closed;
    await fixture.stillServes();
  });

  it('a WebSocket upgrade from a foreign Origin is refused with 403', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(fixture.server.wsUrl, 'mqtt', { origin: 'https://evil.example' });
      ws.on('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
      ws.on('open', () => reject(new Error('upgrade accepted')));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
  });

  it('a WebSocket upgrade on another path is refused with 404', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(fixture.server.wsUrl.replace('/mqtt', '/other'), 'mqtt');
      ws.on('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
      ws.on('open', () => reject(new Error('upgrade accepted')));
      ws.on('error', () => {});
    });
    expect(status).toBe(404);
  });

  it('a WebSocket upgrade from the page origin is accepted', async () => {
    const origin = fixture.server.httpUrl;
    const client = await connect(fixture.server.wsUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'ws-origin',
      wsOptions: { origin },
    });
    fixture.open.push(client);
    expect(client.connected).toBe(true);
  });
});
