import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { notificationsQueryKey } from '../api/get-notifications';
import { onOtherTabsRead } from '../lib/read-broadcast';
import { useNotificationsStore } from '../stores/notifications-store';

/**
 * Another tab of this browser read notifications of this inbox's account, and the server
 * has the marks (read-broadcast.ts): the inbox is asked for again at once, so this tab's
 * bell and list agree with it, and the server's answer reconciles it with marks made here
 * meanwhile (applyInbox).
 */
export function useFollowOtherTabsReads(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onOtherTabsRead((account) => {
        if (useNotificationsStore.getState().account !== account) return;
        // A request already on its way may have left before the marks: asked again.
        void queryClient
          .refetchQueries({ queryKey: notificationsQueryKey, exact: true }, { cancelRefetch: true })
          .catch(() => {}); // a failure waits for the next occasion, as other refetches do
      }),
    [queryClient],
  );
}
