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
      queryClient.clear();
      queryClient.setQueryData(sessionQueryKey, null);
    },
  });
}
