// Shapes of the admin API's session views (GET /api/admin/sessions), shared so the
// server that builds them and the console that shows them cannot drift apart.

// Counting a queue walks it; past this the console shows "at least".
export const MAX_QUEUE_COUNT = 10_000;

export interface LiveSession {
  /** As the client chose it; unique per user, not per org. */
  clientId: string;
  user: string;
  address: string;
  transport: 'ws' | 'tcp';
  /** TLS (wss:// or mqtts://). */
  secure: boolean;
  /** 4 = MQTT 3.1.1, 3 = MQTT 3.1 */
  protocolVersion: number;
  /** Clean session off: subscriptions and QoS 1/2 messages outlive the connection. */
  persistent: boolean;
  /** ms since the epoch */
  connectedAt: number;
  /** The token's id when the connection used one; null for a password. */
  jti: string | null;
  /** When its token expires and the broker closes it (ms); null for a password. */
  expiresAt: number | null;
  /** Client-side filters, sorted. */
  subscriptions: string[];
  /** QoS 1/2 messages stored for the session and not yet acknowledged (0 when clean). */
  queued: number;
}

export interface StoredSession {
  clientId: string;
  user: string;
  subscriptions: string[];
  /** QoS 1/2 messages waiting for the client to come back (capped at MAX_QUEUE_COUNT). */
  queued: number;
  /**
   * When its client was last connected, as session expiry counts it (time the broker was
   * down not counted); null for a session that does not expire (opened with a password)
   * or was stored before these times were kept.
   */
  lastSeenAt: number | null;
}

export interface Sessions {
  live: LiveSession[];
  /** Persistent sessions whose client is away. */
  offline: StoredSession[];
}
