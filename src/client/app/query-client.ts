import { QueryClient } from '@tanstack/react-query';
import { isRetryable } from '../lib/api/api-error';

const MAX_QUERY_RETRIES = 2;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx answer will not change by asking again; a network blip may.
        retry: (failureCount, error) => failureCount < MAX_QUERY_RETRIES && isRetryable(error),
        refetchOnWindowFocus: false, // live data arrives over MQTT, not by polling
      },
      mutations: { retry: false },
    },
  });
}
