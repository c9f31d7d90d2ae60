import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import { connectPacket } from '../lib/connect-packet';
import { emitEvent, serveRpc } from '../lib/rpc';
import type { ClientLogin } from '../lib/targets';

// Opens many idle MQTT-over-WebSocket connections as cheaply as a client can: a bare
// WebSocket that sends CONNECT, waits for the CONNACK and then only answers keepalive.
// (mqtt.js per connection would cost this process far more than the broker measured.)

const CONNACK_TIMEOUT_MS = 30_000;
const EXIT_DELAY_MS = 50;
const CONNACK_FIRST_BYTE = 0x20;
const CONNACK_LENGTH = 4;

export interface OpenArgs {
  url: string;
  logins: ClientLogin[];
  concurrency: number;
  keepaliveSeconds: number;
}

const sockets: WebSocket[] = [];
const PINGREQ = mqttPacket.generate({ cmd: 'pingreq' });

function open(url: string, login: ClientLogin, keepalive: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'mqtt', { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no CONNACK for ${login.clientId}`));
    }, CONNACK_TIMEOUT_MS);
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.once('open', () => ws.send(connectPacket(login, keepalive)));
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      const accepted =
        data.length >= CONNACK_LENGTH && data[0] === CONNACK_FIRST_BYTE && data[3] === 0;
      if (!accepted) {
        ws.terminate();
        reject(new Error(`CONNACK refused ${login.clientId}: ${data.toString('hex')}`));
        return;
      }
      ws.on('error', () => {});
      resolve(ws);
    });
  });
}

serveRpc({
  async open(args: OpenArgs) {
    const queue = [...args.logins];
    await Promise.all(
      Array.from({ length: args.concurrency }, async () => {
        for (let login = queue.shift(); login; login = queue.shift()) {
          sockets.push(await open(args.url, login, args.keepaliveSeconds));
        }
      }),
    );
    // Keepalive as a client would send it, at half the interval.
    setInterval(
      () => {
        for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(PINGREQ);
      },
      (args.keepaliveSeconds * 1_000) / 2,
    ).unref();
    return sockets.length;
  },
  async closeAll() {
    const closing = sockets.splice(0);
    for (const ws of closing) ws.terminate();
  },
  stop() {
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), EXIT_DELAY_MS);
  },
});

emitEvent('ready', { pid: process.pid });
