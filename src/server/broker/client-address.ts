import type { Socket } from 'node:net';
import type { Client } from 'aedes';

/**
 * What the WebSocket transport keeps of an upgrade request as aedes' `client.req`, for as
 * long as the connection lasts: its socket, and the client as a trusted proxy named it
 * (http/trusted-proxy.ts). The rest of the request is let go (websocket.ts).
 */
export interface UpgradeRequest {
  socket: Socket;
  /** The client's address: the socket's peer, or the X-Forwarded-For of a trusted proxy. */
  address: string;
  /** Reached over TLS: this server's own, or the trusted proxy's (X-Forwarded-Proto). */
  secure: boolean;
}

/** The upgrade a WebSocket connection came with; undefined for TCP and TLS connections. */
export function upgradeOf(client: Client): Partial<UpgradeRequest> | undefined {
  return client.req as Partial<UpgradeRequest> | undefined;
}

/**
 * The client's address: for a WebSocket, as its upgrade named it (behind a proxy in
 * TRUST_PROXY, the X-Forwarded-For); for TCP and TLS, the socket's peer.
 */
export function addressOf(client: Client): string {
  const conn = client.conn as { remoteAddress?: string };
  const upgrade = upgradeOf(client);
  return upgrade?.address ?? upgrade?.socket?.remoteAddress ?? conn.remoteAddress ?? 'unknown';
}
