import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { sessionQueryKey } from './get-session';

export function deleteSession(): Promise<void> {
  return apiFetch<void>('/api/session', { method: 'DELETE' });
}

/** Sign out on the server, then forget every cached response of this user. */
export function useSignOutRequest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteSession,
    onSettled: () => {
      // The session query stays (observed by the app shell, now null); the rest goes.
      queryClient.setQueryData(sessionQueryKey, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionQueryKey[0] });
    },
  });
}
