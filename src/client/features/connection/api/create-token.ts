import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { apiFetch } from '../../../lib/api/api-fetch';
import type { BrokerToken } from '../../../lib/mqtt/client-types';

export function createToken(clientId: string, signal?: AbortSignal): Promise<BrokerToken> {
  return apiFetch<BrokerToken>('/api/token', { method: 'POST', body: { clientId }, signal });
}

export const tokenQueryOptions = (clientId: string) =>
  queryOptions({
    queryKey: ['token', clientId],
    queryFn: ({ signal }) => createToken(clientId, signal),
    // Every call mints a fresh credential; nothing secret lingers in the cache.
    staleTime: 0,
    gcTime: 0,
    retry: false, // the connection has its own backoff
  });

/** getToken for the connection module, which lives outside React. */
export function useGetToken(clientId: string): () => Promise<BrokerToken> {
  const queryClient = useQueryClient();
  return useCallback(
    () => queryClient.fetchQuery(tokenQueryOptions(clientId)),
    [queryClient, clientId],
  );
}
