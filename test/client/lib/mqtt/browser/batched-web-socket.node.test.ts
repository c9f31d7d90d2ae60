import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { JSDOM } from 'jsdom';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type RawData } from 'ws';
import type { BatchedWebSocket as BatchedWebSocketClass } from '../../../../../src/client/lib/mqtt/browser/batched-web-socket';

// jsdom's WebSocket against a real WebSocket server on loopback: what arrives, frame by
// frame. The file runs in the node project, on a window of its own, not in the jsdom
// environment: jsdom 29's WebSocket runs on undici's, which fires `open` as a `new
// Event()` of the global scope on Node's own EventTarget, and that environment puts
// jsdom's Event in the global scope, which Node refuses ("The "event" argument must be an
// instance of Event"): no socket ever opened there. Nor is msw here to stand in for it.
const dom = new JSDOM('', { url: 'http://localhost/' });
let BatchedWebSocket: typeof BatchedWebSocketClass;
beforeAll(async () => {
  // The class extends, and compares with, the global WebSocket: jsdom's (Node 20 has none).
  vi.stubGlobal('WebSocket', dom.window.WebSocket);
  ({ BatchedWebSocket } =
    await import('../../../../../src/client/lib/mqtt/browser/batched-web-socket'));
});
afterAll(() => {
  vi.unstubAllGlobals();
  dom.window.close();
});

interface Received {
  binary: boolean;
  bytes: number[];
}

let server: WebSocketServer;
let received: Received[];
let url: string;

beforeEach(async () => {
  received = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) =>
    socket.on('message', (data: RawData, binary: boolean) =>
      received.push({ binary, bytes: [...(data as Buffer)] }),
    ),
  );
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

async function openSocket(): Promise<BatchedWebSocketClass> {
  const socket = new BatchedWebSocket(url);
  socket.binaryType = 'arraybuffer';
  await once(socket as unknown as EventTarget, 'open');
  return socket;
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('BatchedWebSocket', () => {
  it('sends the binary writes of one task as one frame, in order', async () => {
    const socket = await openSocket();
    socket.send(new Uint8Array([0x40, 0x02, 0x00, 0x01]));
    socket.send(new Uint8Array([0x40, 0x02, 0x00, 0x02]));
    // A view into a larger buffer is sent as the view, not the whole buffer.
    socket.send(new Uint8Array([9, 0x40, 0x02, 0x00, 0x03, 9]).subarray(1, 5));
    expect(socket.bufferedAmount).toBeGreaterThanOrEqual(12);

    await until(() => received.length > 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([
      { binary: true, bytes: [0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3] },
    ]);
    socket.close();
  });

  it('sends writes of later tasks as later frames', async () => {
    const socket = await openSocket();
    socket.send(new Uint8Array([1]));
    await until(() => received.length === 1);
    socket.send(new Uint8Array([2]));
    socket.send(new Uint8Array([3]));
    await until(() => received.length === 2);
    expect(received.map((frame) => frame.bytes)).toEqual([[1], [2, 3]]);
    socket.close();
  });

  it('sends what is gathered before a text frame', async () => {
    const socket = await openSocket();
    socket.send(new Uint8Array([1, 2]));
    socket.send('hello');
    socket.send(new Uint8Array([3]));
    await until(() => received.length === 3);
    expect(received).toEqual([
      { binary: true, bytes: [1, 2] },
      { binary: false, bytes: [...Buffer.from('hello')] },
      { binary: true, bytes: [3] },
    ]);
    socket.close();
  });

  it('hands what is gathered to the socket before closing it', async () => {
    // jsdom itself sends on a later tick but closes at once, so what reaches the server
    // says nothing here (a browser sends first); the order of the calls does.
    const socket = await openSocket();
    const native = Object.getPrototypeOf(BatchedWebSocket.prototype) as WebSocket;
    const calls: string[] = [];
    const send = vi.spyOn(native, 'send').mockImplementation((data) => {
      calls.push(`send ${[...(data as Uint8Array)].join(',')}`);
    });
    const close = vi.spyOn(native, 'close').mockImplementation(() => void calls.push('close'));
    socket.send(new Uint8Array([7, 7]));
    socket.close(1000);
    expect(calls).toEqual(['send 7,7', 'close']);
    send.mockRestore();
    close.mockRestore();
    socket.close();
  });

  it('throws as a WebSocket does when written before it opens', () => {
    const socket = new BatchedWebSocket(url);
    expect(() => socket.send(new Uint8Array([1]))).toThrow();
    socket.close();
  });
});
