import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { sessionQueryKey } from '../features/auth/api/get-session';
import { useAuthNoticeStore } from '../features/auth/stores/auth-notice-store';
import { useConnectionStore } from '../features/connection/stores/connection-store';
import { resetWorkspaceStores } from './reset-stores';

/** The broker refused a fresh token too: back to the sign-in page, saying why. */
export function useReturnToSignInOnAuthError(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      useConnectionStore.subscribe((state, previous) => {
        if (state.state.status !== 'auth-error' || previous.state.status === 'auth-error') return;
        useAuthNoticeStore.getState().setNotice('Your session has ended. Please sign in again.');
        resetWorkspaceStores();
        queryClient.setQueryData(sessionQueryKey, null);
        queryClient.removeQueries({
          predicate: (query) => query.queryKey[0] !== sessionQueryKey[0],
        });
      }),
    [queryClient],
  );
}

/**
 * Each time subscriptions are (re)established, refetch room history: whatever was
 * published while no subscription was active (before the first SUBACK, or after the
 * persistent session expired) is in the server's history, and merging deduplicates.
 */
export function useRefetchHistoryOnConnect(): void {
  const queryClient = useQueryClient();
  const connectCount = useConnectionStore((state) => state.connectCount);
  useEffect(() => {
    if (connectCount === 0) return;
    void queryClient.invalidateQueries({
      predicate: (query) => query.queryKey[0] === 'rooms' && query.queryKey[2] === 'messages',
    });
  }, [connectCount, queryClient]);
}
