import { useCallback, useLayoutEffect } from 'react';
import { useCurrentAccount } from '../../auth/hooks/use-current-user';
import { readDraft, saveDraft, sessionStorageOrNull } from '../lib/draft-storage';
import { useDraftsStore } from '../stores/drafts-store';

/**
 * The room's unsent draft and its setter: in memory across switching rooms (the drafts
 * store, reset at sign-out), and in this tab's sessionStorage across a reload
 * (draft-storage.ts), restored when the room opens and forgotten when sent.
 */
export function useRoomDraft(room: string): [string, (text: string) => void] {
  const account = useCurrentAccount();
  const draft = useDraftsStore((state) => state.drafts[room] ?? '');

  // Before the first paint, so a reloaded room does not flash an empty composer. A draft
  // in memory is newer than the stored one; none means none was typed since the reload
  // (or it was cleared, and then storage has none either).
  useLayoutEffect(() => {
    if (useDraftsStore.getState().drafts[room] !== undefined) return;
    const kept = readDraft(sessionStorageOrNull(), account, room);
    if (kept) useDraftsStore.getState().setDraft(room, kept);
  }, [account, room]);

  const setDraft = useCallback(
    (text: string) => {
      useDraftsStore.getState().setDraft(room, text);
      saveDraft(sessionStorageOrNull(), account, room, text);
    },
    [account, room],
  );
  return [draft, setDraft];
}
