import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { tellOtherTabsOf } from '../lib/session-broadcast';
import { sessionQueryKey } from './get-session';

export function deleteSession(): Promise<void> {
  return apiFetch<void>('/api/session', { method: 'DELETE' });
}

/**
 * Sign out on the server (which ends the sign-in's broker tokens too), then forget every
 * cached response of this user, and tell the browser's other tabs, which shared the sign-in.
 */
export function useSignOutRequest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteSession,
    onSettled: async () => {
      // One on its way left with the cookie: its answer would bring the session back.
      await queryClient.cancelQueries({ queryKey: sessionQueryKey, exact: true });
      // The session query stays (observed by the app shell, now null); the rest goes.
      queryClient.setQueryData(sessionQueryKey, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionQueryKey[0] });
      // Once the server has answered: asked sooner, it would still say signed in.
      tellOtherTabsOf('signed-out');
    },
  });
}
