import type { Client } from 'aedes';

/** The peer address of a connection: the WebSocket's request socket, or the TCP socket. */
export function addressOf(client: Client): string {
  const conn = client.conn as { remoteAddress?: string };
  return client.req?.socket.remoteAddress ?? conn.remoteAddress ?? 'unknown';
}
