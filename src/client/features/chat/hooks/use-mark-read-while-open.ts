import { useEffect, useRef } from 'react';
import { useRoomHistory } from '../api/get-room-messages';
import { useMarkRoomRead } from '../api/mark-room-read';
import { createReadMarker, type ReadMarker } from '../lib/read-marker';
import { useChatStore } from '../stores/chat-store';

// A busy room sends one mark per interval, not one per message.
export const READ_MARK_INTERVAL_MS = 2_000;

/**
 * While a room is open, its messages are read (as the chat store counts them): marks it
 * read on the server, so the count is the same after a reload and on other devices. Up to
 * messages this tab has shown, named by id: one that reached the server but not yet this
 * tab stays unread. Those are the newest of the history page (in the server's order) and
 * the newest from others that arrived live, since which of the two is newer depends on
 * when the history was fetched.
 */
export function useMarkReadWhileOpen(room: string): void {
  const newestInHistory = useRoomHistory(room).data?.pages[0]?.messages.at(-1)?.id;
  const newestLive = useChatStore((state) => state.latestFromOthers[room]?.id);
  const { mutate } = useMarkRoomRead();
  const marker = useRef<ReadMarker | null>(null);

  useEffect(() => {
    const created = createReadMarker((upTo) => mutate({ room, upTo }), READ_MARK_INTERVAL_MS);
    marker.current = created;
    return () => {
      created.flush(); // leaving the room: what was shown last is read
      marker.current = null;
    };
  }, [room, mutate]);

  useEffect(() => {
    const upTo = [newestInHistory, newestLive].filter((id) => id !== undefined);
    marker.current?.mark(newestInHistory === newestLive ? upTo.slice(0, 1) : upTo);
  }, [room, newestInHistory, newestLive]);
}
