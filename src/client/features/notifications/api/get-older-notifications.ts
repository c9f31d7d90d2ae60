import { useMutation } from '@tanstack/react-query';
import { isRetryable } from '../../../lib/api/api-error';
import { useNotificationsStore } from '../stores/notifications-store';
import { fetchNotifications } from './get-notifications';

/**
 * Asks for the page older than what the inbox holds (GET /api/notifications?before=) and
 * adds it there, below the rest. The id of the first of them shown (applyOlder); null when
 * it added none: there was nothing older, or the inbox changed meanwhile (another account's
 * now, or listed anew from another start).
 */
export async function loadOlderNotifications(): Promise<string | null> {
  const inbox = useNotificationsStore.getState();
  const before = inbox.olderCursor;
  if (before === null) return null;
  const mark = inbox.beginInboxSync();
  const page = await fetchNotifications(undefined, before);
  return useNotificationsStore.getState().applyOlder(mark, before, page);
}

/**
 * Older pages go where the listing goes, into the store, to be shown, marked and counted
 * with the rest; so this is a request made on demand rather than a cached query: the store
 * holds the answer, and nothing is refetched behind the reader's back. Like a mark, one
 * that could not get through is tried twice more at once.
 */
export const useLoadOlderNotifications = () =>
  useMutation({
    mutationFn: loadOlderNotifications,
    retry: (failures, error) => failures < 2 && isRetryable(error),
  });
