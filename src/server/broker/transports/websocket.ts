import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import { isOriginAllowed } from '../../http/allowed-origin';
import { clientView, type TrustProxy } from '../../http/trusted-proxy';
import type { UpgradeRequest } from '../client-address';
import { WebSocketConnection } from './websocket-connection';

export const MQTT_WEBSOCKET_PATH = '/mqtt';
const WS_FRAME_OVERHEAD_BYTES = 14; // largest WebSocket frame header

export interface WebSocketTransportOptions {
  server: Server;
  allowedOrigins: readonly string[];
  /** Proxies whose X-Forwarded-* name the client (TRUST_PROXY); none when absent. */
  trustProxy?: TrustProxy | null;
  maxPacketBytes: number;
  logger: Logger;
  /** Runs before a connection's frame of the turn is sent (see WebSocketConnection). */
  beforeSend?(): void;
  onConnection(stream: Duplex, request: IncomingMessage): void;
}

/** MQTT over WebSocket on the HTTP server's `/mqtt` path. */
export function attachWebSocketTransport(options: WebSocketTransportOptions) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPacketBytes + WS_FRAME_OVERHEAD_BYTES,
    // mqtt.js offers `mqtt`; MQTT 3.1 clients offer `mqttv3.1`.
    handleProtocols: (protocols) =>
      protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false,
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== MQTT_WEBSOCKET_PATH) return refuse(socket, 404, 'Not Found');
    const client = clientView(request, options.trustProxy ?? null);
    if (!isOriginAllowed(request.headers.origin, client, options.allowedOrigins)) {
      options.logger.warn(
        {
          event: 'websocket_origin_refused',
          origin: request.headers.origin,
          address: client.address,
        },
        'WebSocket upgrade from a foreign origin refused',
      );
      return refuse(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      // Not a Duplex, but all of one that aedes uses (see websocket-connection.ts): the
      // cast keeps aedes' `Connection` type without paying a Writable per write.
      const connection = new WebSocketConnection(ws, options.beforeSend);
      // What aedes keeps as `client.req` while the connection lasts (client-address.ts).
      // Kept whole, the request's headers, raw headers and stream state stayed alive with
      // every connection.
      const kept: UpgradeRequest = {
        socket: request.socket,
        address: client.address,
        secure: client.protocol === 'https',
      };
      options.onConnection(connection as unknown as Duplex, kept as unknown as IncomingMessage);
    });
  };
  options.server.on('upgrade', onUpgrade);

  return {
    close() {
      options.server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
