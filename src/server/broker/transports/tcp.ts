import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { batchWritesPerTurn } from './turn-batched-writes';

export interface TcpTransportOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string } | null;
  /** Runs before a turn's writes leave (see batchWritesPerTurn). */
  beforeSend?(): void;
  onConnection(stream: Duplex): void;
}

/** MQTT over TCP, or over TLS when given a certificate (services, agents, devices). */
export async function listenTcp(options: TcpTransportOptions): Promise<net.Server> {
  const onConnection = (stream: Duplex) => {
    batchWritesPerTurn(stream, options.beforeSend);
    options.onConnection(stream);
  };
  const server = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }, onConnection)
    : net.createServer(onConnection);
  server.on('connection', (socket: net.Socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
