import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { sessionQueryKey } from '../api/get-session';
import { onOtherTabsChange } from '../lib/session-broadcast';
import { useAuthNoticeStore } from '../stores/auth-notice-store';

/**
 * Another tab of this browser signed out or in (session-broadcast.ts): the session is asked
 * for again at once. A workspace whose session ended, or is another account's now, leaves
 * (app/use-workspace-lifecycle.ts: useLeaveWhenSessionChanges); the sign-in page opens the
 * workspace of whoever signed in.
 */
export function useFollowOtherTabs(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onOtherTabsChange(() => {
        // A request already on its way may have left before the change: asked again.
        void queryClient
          .refetchQueries({ queryKey: sessionQueryKey, exact: true }, { cancelRefetch: true })
          .then(() => {
            // Taken in by a sign-in elsewhere: the reason this tab was signed out is old news.
            if (queryClient.getQueryData(sessionQueryKey)) {
              useAuthNoticeStore.getState().setNotice(null);
            }
          });
      }),
    [queryClient],
  );
}
