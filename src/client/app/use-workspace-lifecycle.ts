import { hashKey, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { isAgentCommandsQueryKey } from '../features/agent-board/api/get-agent-commands';
import { accountOf, sessionQueryKey, type Session } from '../features/auth/api/get-session';
import { onOtherTabsChange } from '../features/auth/lib/session-broadcast';
import { useAuthNoticeStore } from '../features/auth/stores/auth-notice-store';
import { useConnectionStore } from '../features/connection/stores/connection-store';
import type { Connection } from '../lib/mqtt/connection';
import { forgetKeptForReturn, leaveWorkspace } from './reset-stores';

const SESSION_ENDED_NOTICE = 'Your session has ended. Please sign in again.';
const sessionQueryHash = hashKey(sessionQueryKey);

/** Every cached answer but the session's (which the app shell observes). */
function removeWorkspaceQueries(queryClient: QueryClient): void {
  queryClient.removeQueries({
    predicate: (query) => query.queryKey[0] !== sessionQueryKey[0],
  });
}

/**
 * The broker refused a fresh token too (the session expired, or was ended by an admin):
 * back to the sign-in page, saying why, with what was kept for the person to come back to
 * (leaveWorkspace).
 */
export function useReturnToSignInOnAuthError(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      useConnectionStore.subscribe((state, previous) => {
        if (state.state.status !== 'auth-error' || previous.state.status === 'auth-error') return;
        useAuthNoticeStore.getState().setNotice(SESSION_ENDED_NOTICE);
        leaveWorkspace();
        queryClient.setQueryData(sessionQueryKey, null);
        removeWorkspaceQueries(queryClient);
      }),
    [queryClient],
  );
}

/**
 * The session, asked for again, is no longer `account`'s: signed out in another tab, the
 * account disabled or removed (no session), or someone else signed in in another tab (the
 * cookie is theirs now). Before the app shows the next view, this workspace stops and
 * forgets what it showed of `account`: it must not reach anyone else. What the tab keeps
 * for them to come back to, per account, stays (leaveWorkspace); a sign-out in another tab
 * has forgotten it already (useForgetWhenSignedOutElsewhere). Only answers from the server count: sign-in, sign-out and an auth error write the
 * session themselves, having done what they need.
 */
export function useLeaveWhenSessionChanges(account: string, connection: Connection | null): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      // The cache tells its listeners before the components: nothing renders in between.
      queryClient.getQueryCache().subscribe((event) => {
        if (event.type !== 'updated' || event.query.queryHash !== sessionQueryHash) return;
        if (event.action.type !== 'success' || event.action.manual) return;
        const session = event.action.data as Session | null;
        if (session && accountOf(session) === account) return;
        connection?.dispose(); // nothing more of theirs arrives
        if (!session) useAuthNoticeStore.getState().setNotice(SESSION_ENDED_NOTICE);
        leaveWorkspace();
        removeWorkspaceQueries(queryClient);
      }),
    [queryClient, account, connection],
  );
}

/**
 * Signed out in another tab: a sign-out the person chose, so this tab forgets what it kept
 * for them to come back to, as their sign-out here would (the session, asked for again, then
 * leaves: useLeaveWhenSessionChanges). Heard here, in the workspace, before that answer:
 * the sign-in page's bundle has none of the drafts' code.
 */
export function useForgetWhenSignedOutElsewhere(): void {
  useEffect(
    () =>
      onOtherTabsChange((change) => {
        if (change === 'signed-out') forgetKeptForReturn();
      }),
    [],
  );
}

/**
 * Each time subscriptions are (re)established, refetch room history and the agent command
 * log shown: whatever was published while no subscription was active (before the first
 * SUBACK, or after the persistent session expired) is in the server's history and logs,
 * and merging deduplicates.
 */
export function useRefetchHistoryOnConnect(): void {
  const queryClient = useQueryClient();
  const connectCount = useConnectionStore((state) => state.connectCount);
  useEffect(() => {
    if (connectCount === 0) return;
    void queryClient.invalidateQueries({
      predicate: ({ queryKey }) =>
        (queryKey[0] === 'rooms' && queryKey[2] === 'messages') ||
        isAgentCommandsQueryKey(queryKey),
    });
  }, [connectCount, queryClient]);
}
