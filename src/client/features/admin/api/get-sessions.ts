import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface LiveSession {
  /** As the client chose it; unique per user, not per org. */
  clientId: string;
  user: string;
  address: string;
  transport: 'ws' | 'tcp';
  /** TLS (wss:// or mqtts://). */
  secure: boolean;
  /** 4 = MQTT 3.1.1, 3 = MQTT 3.1, 5 = MQTT 5 */
  protocolVersion: number;
  /** Clean session off: subscriptions and QoS 1/2 messages outlive the connection. */
  persistent: boolean;
  /** ms since the epoch */
  connectedAt: number;
  /** The token's id; null for a password connection. */
  jti: string | null;
  expiresAt: number | null;
  subscriptions: string[];
  /** QoS 1/2 messages not yet acknowledged. */
  queued: number;
}

export interface StoredSession {
  clientId: string;
  user: string;
  subscriptions: string[];
  /** Waiting for the client to come back (the server stops counting at 10 000). */
  queued: number;
}

export interface Sessions {
  live: LiveSession[];
  /** Persistent sessions whose client is away. */
  offline: StoredSession[];
}

export const SESSIONS_REFRESH_MS = 3_000; // "live" without hammering the broker's store

export function fetchSessions(signal?: AbortSignal): Promise<Sessions> {
  return apiFetch<Sessions>('/api/admin/sessions', { signal });
}

export const sessionsQueryOptions = () =>
  queryOptions({
    queryKey: adminKeys.sessions(),
    queryFn: ({ signal }) => fetchSessions(signal),
    refetchInterval: SESSIONS_REFRESH_MS,
  });

export const useSessions = () => useQuery(sessionsQueryOptions());
