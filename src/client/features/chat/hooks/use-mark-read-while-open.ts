import { useEffect, useMemo, useRef } from 'react';
import type { AppendOnlyList } from '../../../lib/append-only-list';
import { useRoomHistory } from '../api/get-room-messages';
import { useMarkRoomRead } from '../api/mark-room-read';
import type { TimelineMessage } from '../lib/merge-messages';
import { createReadMarker, type ReadMarker } from '../lib/read-marker';
import { useChatStore } from '../stores/chat-store';

// A busy room sends one mark per interval, not one per message.
export const READ_MARK_INTERVAL_MS = 2_000;

/**
 * Whether the person is looking at the page: visible, and its window focused. The same
 * test as for desktop notifications (desktop-notifications.ts), so a message they are
 * notified of as unseen is not marked read meanwhile.
 */
function isPageSeen(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/** The newest message of the timeline the server has (ours still on its way is not). */
function newestSent(timeline: AppendOnlyList<TimelineMessage>): string | undefined {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const message = timeline.at(i);
    if (message?.status === 'sent') return message.id;
  }
  return undefined;
}

/**
 * While a room is open and in front of the person, its messages are read (as the chat
 * store counts them): marks it read on the server, so the count is the same after a
 * reload and on other devices. A room left open in a hidden tab or an unfocused window is
 * not marked until it is looked at again. Up to messages this tab has shown, named by id:
 * one that reached the server but not yet this tab stays unread. Named are the newest of
 * the history page (in the server's order), the newest of the timeline whoever sent it
 * (by time: so one's own messages, which the server's count passes over, are behind the
 * position too), and the last from others to arrive live (one composed offline arrives
 * late with an early time); the server takes whichever it recorded last.
 */
export function useMarkReadWhileOpen(
  room: string,
  timeline: AppendOnlyList<TimelineMessage>,
): void {
  const newestInHistory = useRoomHistory(room).data?.pages[0]?.messages.at(-1)?.id;
  const newestShown = useMemo(() => newestSent(timeline), [timeline]);
  const lastFromOthers = useChatStore((state) => state.latestFromOthers[room]?.id);
  const { mutate } = useMarkRoomRead();
  const marker = useRef<ReadMarker | null>(null);

  useEffect(() => {
    const created = createReadMarker(
      (upTo, { keepalive }) => mutate({ room, upTo, keepalive }),
      READ_MARK_INTERVAL_MS,
      { seen: isPageSeen() },
    );
    marker.current = created;
    const onSeenChange = () => created.setSeen(isPageSeen());
    // The last event a page going away reliably gets; it may come back (back/forward cache).
    const onPageHide = () => created.flush();
    document.addEventListener('visibilitychange', onSeenChange);
    window.addEventListener('focus', onSeenChange);
    window.addEventListener('blur', onSeenChange);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      document.removeEventListener('visibilitychange', onSeenChange);
      window.removeEventListener('focus', onSeenChange);
      window.removeEventListener('blur', onSeenChange);
      window.removeEventListener('pagehide', onPageHide);
      created.flush(); // leaving the room: what was shown last is read
      marker.current = null;
    };
  }, [room, mutate]);

  useEffect(() => {
    const upTo = [...new Set([newestInHistory, newestShown, lastFromOthers])].filter(
      (id) => id !== undefined,
    );
    marker.current?.mark(upTo);
  }, [room, newestInHistory, newestShown, lastFromOthers]);
}
