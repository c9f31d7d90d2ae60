import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { isRetryable, isUnauthorized } from '../../../lib/api/api-error';
import { useConnectionStore } from '../../connection/stores/connection-store';
import { notificationsQueryKey } from '../api/get-notifications';
import { useMarkNotificationsRead } from '../api/mark-notifications-read';
import { nextMarks, useNotificationsStore } from '../stores/notifications-store';

/**
 * After a mark could not get through (its quick retries spent: offline, the server down),
 * it is tried again after this, and at once when the broker connection is back.
 */
export const MARK_RETRY_MS = 30_000;

/**
 * Sends the marks made here (the store's `unsent`) to the server, one request at a time, in
 * order, until none is left: marked read on this device, read on all of them. Nothing is
 * lost to a failure: a mark that could not get through stays unsent (also across a reload:
 * the saved inbox keeps it) and is sent again; one refused because the session is gone
 * waits for the next sign-in. Only one the server refused for good (it would refuse it
 * again) is rolled back, and the inbox asked for again: the server's state is the truth.
 */
export function useSendReadMarks(): void {
  const queryClient = useQueryClient();
  const { mutateAsync } = useMarkNotificationsRead();

  useEffect(() => {
    let sending = false;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const send = async () => {
      const marks = nextMarks(useNotificationsStore.getState().unsent);
      if (sending || stopped || !marks) return;
      sending = true;
      clearTimeout(retry);
      try {
        await mutateAsync(marks);
        useNotificationsStore.getState().acknowledgeMarks(marks);
      } catch (error) {
        if (stopped || isUnauthorized(error)) return;
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
