import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { tellOtherTabsOf } from '../lib/session-broadcast';
import { sessionQueryKey, type Session } from './get-session';

export interface Credentials {
  username: string;
  password: string;
}

export function createSession(credentials: Credentials): Promise<Session> {
  return apiFetch<Session>('/api/session', { method: 'POST', body: credentials });
}

/**
 * Sign in: on success the session query holds the new session and the app switches; so do
 * the browser's other tabs, which share the cookie (a sign-in page there opens it too).
 */
export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createSession,
    onSuccess: async (session) => {
      // A session request already on its way (another tab's change prompts one) left with
      // the earlier cookie: its answer, landing after this, would name the earlier account
      // while the broker token comes from the new cookie.
      await queryClient.cancelQueries({ queryKey: sessionQueryKey, exact: true });
      queryClient.setQueryData(sessionQueryKey, session);
      tellOtherTabsOf('signed-in');
    },
  });
}
