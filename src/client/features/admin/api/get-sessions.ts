import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';
import type { Sessions } from '../../../../shared/admin-api';

export type { LiveSession, Sessions, StoredSession } from '../../../../shared/admin-api';

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
