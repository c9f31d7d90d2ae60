import { hashKey, useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import { sessionQueryKey, sessionQueryOptions } from '../features/auth/api/get-session';
import { roomsQueryKey, roomsQueryOptions } from '../features/chat/api/get-rooms';
import {
  recountUnreadCounts,
  unreadCountsQueryKey,
  unreadCountsQueryOptions,
} from '../features/chat/api/get-unread-counts';
import { useChatStore } from '../features/chat/stores/chat-store';
import { useConnectionStore } from '../features/connection/stores/connection-store';
import {
  notificationsQueryKey,
  notificationsQueryOptions,
} from '../features/notifications/api/get-notifications';
import { isUnauthorized } from '../lib/api/api-error';

// What others change on the server that no topic carries (the topic contract has none for
// it): the person's role (an admin changed it), the rooms they may read (a room created, a
// rule changed) and what they have read, of rooms and of notifications (in another tab, on
// another device; or missed while away longer than the broker queues for them). Asked again
// when it may have changed unseen: the page shown again after being hidden, or its window
// focused again; the broker connection back after a drop; the server refusing something
// (401/403: the role or rules may be narrower now); and, while the page is shown, every poll.
//
// Only what is older than REFETCH_AFTER_MS is asked for, and a request already on its way
// is shared (react-query): switching tabs back and forth, or a connection that flaps, costs
// at most one request per query in that time. A refusal is different: it says something
// changed just now, however fresh the answers are, so all is asked for whatever its age,
// at most once per REFUSAL_REFETCH_GAP_MS; one refused sooner is put off to then, not
// dropped (it may be the first to tell of the change).

/** Younger than this, the data is as good as new: alt-tabbing costs nothing. */
export const REFETCH_AFTER_MS = 30_000;

/**
 * For a page that stays in front without a focus change (a wall display, a second screen):
 * changes reach it within this. Role and room changes are rare, and the room list, unread
 * counts and inbox are one small query each, so every few minutes is plenty.
 */
export const POLL_INTERVAL_MS = 5 * 60_000;

/**
 * Refusals ask at most once per this: a view whose requests are all refused costs a round
 * at once and, if more are refused meanwhile, one more at the end of it; not one per refusal.
 */
export const REFUSAL_REFETCH_GAP_MS = 5_000;

/**
 * Unread counts in doubt (chat-store.ts, countsInDoubt: a live message they may lack) are
 * asked for again this long after: a persistent session's queue comes in a burst, and one
 * question after it covers the lot.
 */
export const RECOUNT_DELAY_MS = 1_000;

/**
 * And at most once per this: a badge off by one is put right within seconds, not minutes,
 * while a sender whose clock is slow costs one small request per few seconds at most, and
 * only for as long as the counts' window for queued messages is open (a recount opens none).
 */
export const RECOUNT_GAP_MS = 5_000;

// Their own refusals prompt nothing: each would ask for itself again, and again.
const ownQueryHashes = new Set(
  [sessionQueryKey, roomsQueryKey, unreadCountsQueryKey, notificationsQueryKey].map((key) =>
    hashKey(key),
  ),
);

/**
 * Refetches whichever of them is older than REFETCH_AFTER_MS, or, after a refusal
 * (`refused`), each whatever its age: a request already on its way may have left before the
 * change the refusal tells of, so it is cancelled and asked again (its callers get the new
 * answer). Never rejects. Nothing once signed out: the queries of the workspace are gone,
 * and asking would only make them again, and ask the server for what is no longer anyone's.
 */
export function refetchChangedElsewhere(queryClient: QueryClient, refused = false): void {
  if (queryClient.getQueryData(sessionQueryKey) === null) return;
  // A failure is left for the next occasion: each query keeps the data it had.
  const ignore = () => {};
  const ask = (queryKey: QueryKey, query: (staleTime: number) => Promise<unknown>) => {
    if (refused && queryClient.isFetching({ queryKey, exact: true }) > 0) {
      queryClient.refetchQueries({ queryKey, exact: true }, { cancelRefetch: true }).catch(ignore);
    } else {
      query(refused ? 0 : REFETCH_AFTER_MS).catch(ignore);
    }
  };
  ask(sessionQueryKey, (staleTime) => queryClient.query({ ...sessionQueryOptions(), staleTime }));
  ask(roomsQueryKey, (staleTime) => queryClient.query({ ...roomsQueryOptions(), staleTime }));
  ask(unreadCountsQueryKey, (staleTime) =>
    queryClient.query({ ...unreadCountsQueryOptions(), staleTime }),
  );
  ask(notificationsQueryKey, (staleTime) =>
    queryClient.query({ ...notificationsQueryOptions(), staleTime }),
  );
}

/**
 * Keeps the session, the room list, the unread counts and the notifications inbox true to
 * changes made elsewhere; and the unread counts to live messages they may lack.
 */
export function useRefetchChangedElsewhere(): void {
  const queryClient = useQueryClient();

  useEffect(() => {
    const refetch = () => refetchChangedElsewhere(queryClient);
    const refetchIfShown = () => {
      if (document.visibilityState === 'visible') refetch();
    };
    document.addEventListener('visibilitychange', refetchIfShown);
    window.addEventListener('focus', refetch);
    const poll = setInterval(refetchIfShown, POLL_INTERVAL_MS);
    // At the first connect, what the workspace has just fetched is fresh: nothing is asked.
    const unsubscribeConnection = useConnectionStore.subscribe((state, previous) => {
      if (state.connectCount <= previous.connectCount) return;
      // Counts asked for after a reconnect are no recount, whatever doubt is unsettled: the
      // queue coming needs a window of their own.
      const counts = queryClient
        .getQueryCache()
        .find({ queryKey: unreadCountsQueryKey, exact: true });
      if (!counts || counts.isStaleByTime(REFETCH_AFTER_MS)) useChatStore.getState().settleDoubts();
      refetch();
    });
    let lastRefusalRefetch = -Infinity;
    let putOff: ReturnType<typeof setTimeout> | undefined;
    const refetchAfterRefusal = () => {
      putOff = undefined;
      lastRefusalRefetch = Date.now();
      refetchChangedElsewhere(queryClient, true);
    };
    const refusedNow = (error: unknown) => {
      if (!isUnauthorized(error) || putOff !== undefined) return; // put off already: covered
      const wait = lastRefusalRefetch + REFUSAL_REFETCH_GAP_MS - Date.now();
      if (wait <= 0) refetchAfterRefusal();
      else putOff = setTimeout(refetchAfterRefusal, wait);
    };
    const unsubscribeQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.action.type !== 'error') return;
      if (!ownQueryHashes.has(event.query.queryHash)) refusedNow(event.action.error);
    });
    const unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') refusedNow(event.action.error);
    });
    let lastRecount = -Infinity;
    let recountDue: ReturnType<typeof setTimeout> | undefined;
    const recount = () => {
      recountDue = undefined;
      // Signed out, or offline: nothing to ask (a reconnect asks again for counts 30 s old).
      if (queryClient.getQueryData(sessionQueryKey) === null) return;
      if (useConnectionStore.getState().state.status !== 'connected') return;
      // One question at a time, and not one asked before the messages in doubt arrived.
      if (queryClient.isFetching({ queryKey: unreadCountsQueryKey, exact: true }) > 0) {
        recountDue = setTimeout(recount, RECOUNT_DELAY_MS);
        return;
      }
      // Settled meanwhile (counts asked since, or a reconnect): asked now, they would be no
      // recount, and would open a window of their own.
      if (!useChatStore.getState().doubtUnsettled()) return;
      lastRecount = Date.now();
      recountUnreadCounts(queryClient).catch(() => {}); // a failure waits for the next occasion
    };
    const unsubscribeDoubts = useChatStore.subscribe((state, previous) => {
      if (state.countsInDoubt <= previous.countsInDoubt || recountDue !== undefined) return;
      const wait = Math.max(RECOUNT_DELAY_MS, lastRecount + RECOUNT_GAP_MS - Date.now());
      recountDue = setTimeout(recount, wait);
    });
    return () => {
      document.removeEventListener('visibilitychange', refetchIfShown);
      window.removeEventListener('focus', refetch);
      clearInterval(poll);
      clearTimeout(putOff);
      clearTimeout(recountDue);
      unsubscribeConnection();
      unsubscribeQueries();
      unsubscribeMutations();
      unsubscribeDoubts();
    };
  }, [queryClient]);
}
