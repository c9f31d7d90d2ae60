import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { SESSION_CHANGED_CODE } from '../../../../shared/notifications-api';
import { isApiError, isRetryable, isUnauthorized } from '../../../lib/api/api-error';
import { sessionQueryKey } from '../../auth/api/get-session';
import { useConnectionStore } from '../../connection/stores/connection-store';
import { notificationsQueryKey } from '../api/get-notifications';
import { useMarkNotificationsRead } from '../api/mark-notifications-read';
import { tellOtherTabsRead } from '../lib/read-broadcast';
import { nextMarks, useNotificationsStore } from '../stores/notifications-store';

/**
 * After a mark could not get through (its quick retries spent: offline, the server down),
 * it is tried again after this, and at once when the broker connection is back.
 */
const MARK_RETRY_MS = 30_000;

/**
 * Sends the marks made here (the store's `unsent`) to the server, one request at a time, in
 * order, until none is left: marked read on this device, read on all of them. Nothing is
 * lost to a failure: a mark that could not get through stays unsent (also across a reload:
 * the saved inbox keeps it) and is sent again; one refused because the session is gone,
 * or is someone else's now (signed in in another tab: the marks name their account), waits
 * for that account's next sign-in. Only one the server refused for good (it would refuse it
 * again) is rolled back, and the inbox asked for again: the server's state is the truth.
 * An answer that comes once the inbox is another account's changes nothing of it.
 */
export function useSendReadMarks(): void {
  const queryClient = useQueryClient();
  const { mutateAsync } = useMarkNotificationsRead();

  useEffect(() => {
    let sending = false;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    // Whether the inbox is still `account`'s (not reset, nor another's since).
    const holds = (account: string) => useNotificationsStore.getState().account === account;

    const send = async () => {
      const { account, unsent } = useNotificationsStore.getState();
      const marks = nextMarks(unsent);
      if (sending || stopped || !marks || account === null) return;
      sending = true;
      clearTimeout(retry);
      try {
        await mutateAsync({ account, ...marks });
        // Taken, whatever happened here meanwhile: if the inbox is the account's, they are
        // no longer unsent.
        if (holds(account)) useNotificationsStore.getState().acknowledgeMarks(marks);
        // This browser's other tabs show the account's inbox too (use-follow-other-tabs-reads.ts).
        tellOtherTabsRead(account);
      } catch (error) {
        if (stopped || !holds(account) || isUnauthorized(error)) return;
        if (isApiError(error) && error.code === SESSION_CHANGED_CODE) {
          // Kept unsent (and saved) for the account; this tab is leaving it.
          void queryClient.invalidateQueries({ queryKey: sessionQueryKey });
          return;
        }
        if (isRetryable(error)) {
          retry = setTimeout(() => void send(), MARK_RETRY_MS);
        } else {
          useNotificationsStore.getState().rollBackMarks(marks);
          void queryClient.invalidateQueries({ queryKey: notificationsQueryKey });
        }
        return;
      } finally {
        sending = false;
      }
      void send(); // the rest, and what was marked meanwhile
    };

    void send(); // what the saved inbox still had unsent
    const unsubscribeMarks = useNotificationsStore.subscribe((state, previous) => {
      if (state.unsent !== previous.unsent) void send();
    });
    const unsubscribeConnection = useConnectionStore.subscribe((state, previous) => {
      if (state.connectCount > previous.connectCount) void send();
    });
    return () => {
      stopped = true;
      clearTimeout(retry);
      unsubscribeMarks();
      unsubscribeConnection();
    };
  }, [mutateAsync, queryClient]);
}
