import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { WebSocketConnection } from '../../../src/server/broker/transports/websocket-connection';

// A WebSocketConnection wired over loopback to a real peer: a ws client, or a raw socket
// that speaks the handshake by hand so tests can send frames no client library would.

export interface ServerSide {
  /** The server side, as aedes gets it. */
  connection: WebSocketConnection;
  /** ws' socket under it (bufferedAmount, isPaused). */
  ws: WebSocket;
}

export interface WsPair extends ServerSide {
  client: WebSocket;
  close(): Promise<void>;
}

export interface RawPair extends ServerSide {
  socket: net.Socket;
  /** Bytes the server sent after the handshake. */
  received(): Buffer;
  close(): Promise<void>;
}

async function listen(maxPayload: number, beforeSend?: () => void) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, maxPayload });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const accepted = new Promise<ServerSide>((resolve) =>
    wss.once('connection', (ws) =>
      resolve({ ws, connection: new WebSocketConnection(ws, beforeSend) }),
    ),
  );
  const close = async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, accepted, close };
}

export async function wsPair(maxPayload = 1_024 * 1_024, beforeSend?: () => void): Promise<WsPair> {
  const server = await listen(maxPayload, beforeSend);
  const client = new WebSocket(`ws://127.0.0.1:${server.port}`, 'mqtt');
  client.on('error', () => {}); // tests look at close codes instead
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const side = await server.accepted;
  return {
    ...side,
    client,
    async close() {
      client.terminate();
      await server.close();
    },
  };
}

export async function rawPair(maxPayload = 1_024 * 1_024): Promise<RawPair> {
  const server = await listen(maxPayload);
  const socket = net.connect(server.port, '127.0.0.1');
  socket.on('error', () => {});
  let buffered = Buffer.alloc(0);
  let upgraded = false;
  const handshake = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (upgraded) return;
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      buffered = buffered.subarray(end + 4);
      resolve();
    });
  });
  socket.write(
    [
      'GET / HTTP/1.1',
      'Host: 127.0.0.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: mqtt',
      '',
      '',
    ].join('\r\n'),
  );
  await handshake;
  const side = await server.accepted;
  return {
    ...side,
    socket,
    received: () => buffered,
    async close() {
      socket.destroy();
      await server.close();
    },
  };
}

/** A client frame as RFC 6455 §5.2 lays it out (payloads under 126 bytes). */
export function clientFrame(opcode: number, payload: Buffer, masked = true): Buffer {
  const FIN = 0x80;
  const MASK = 0x80;
  if (!masked) return Buffer.concat([Buffer.from([FIN | opcode, payload.length]), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from([FIN | opcode, MASK | payload.length]), mask, body]);
}

/** The status code of the first close frame (opcode 8) in what the server sent, if any. */
export function closeCodeIn(bytes: Buffer): number | null {
  const CLOSE_OPCODE = 0x8;
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] ?? 0) & 0x0f;
    const length = (bytes[at + 1] ?? 0) & 0x7f; // the server's frames here are short
    if (opcode === CLOSE_OPCODE) return length >= 2 ? bytes.readUInt16BE(at + 2) : null;
    at += 2 + length;
  }
  return null;
}

/** Every frame the client receives, and the close code when it closes. */
export function recordFrames(client: WebSocket) {
  const frames: Buffer[] = [];
  const binary: boolean[] = [];
  client.on('message', (data, isBinary) => {
    frames.push(data as Buffer);
    binary.push(isBinary);
  });
  const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
  return { frames, binary, closed };
}

/** Reads as aedes does: everything available on each 'readable'. */
export function readAll(connection: WebSocketConnection): Buffer[] {
  const reads: Buffer[] = [];
  connection.on('readable', () => {
    for (let data = connection.read(); data; data = connection.read()) reads.push(data);
  });
  return reads;
}

export const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
