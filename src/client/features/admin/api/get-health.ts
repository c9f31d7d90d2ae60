import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface BrokerHealth {
  connections: number;
  /** Subscriptions of the org's live connections. */
  subscriptions: number;
  retained: number;
  messagesInPerSecond: number;
  messagesOutPerSecond: number;
  /** The whole server process's: one process serves every org. */
  memory: { rssBytes: number; heapUsedBytes: number };
  uptimeSeconds: number;
}

export const HEALTH_POLL_MS = 2_000;

export function fetchHealth(signal?: AbortSignal): Promise<BrokerHealth> {
  return apiFetch<BrokerHealth>('/api/admin/health', { signal });
}

export const healthQueryOptions = () =>
  queryOptions({
    queryKey: adminKeys.health(),
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: HEALTH_POLL_MS,
    // Charts go on in a background tab too, so they show no gap when it comes back.
    refetchIntervalInBackground: true,
  });

export const useHealth = () => useQuery(healthQueryOptions());
