import { useNotifications } from '../api/get-notifications';
import { useFollowOtherTabsReads } from './use-follow-other-tabs-reads';
import { useSendReadMarks } from './use-send-read-marks';

/**
 * Keeps the inbox the server's, both ways: fills it from the server (everything sent to
 * this person, from any device and while away, and which were read anywhere), merging with
 * live ones by id (get-notifications.ts); sends what is marked read here; and asks again
 * at once when another tab of this browser has read some (use-follow-other-tabs-reads.ts).
 * Asking again after a reconnect, and when it may have changed elsewhere, is
 * app/use-refetch-changed-elsewhere.ts's, with the other queries: once, and only if older
 * than REFETCH_AFTER_MS.
 */
export function useSyncInbox(): void {
  useNotifications();
  useSendReadMarks();
  useFollowOtherTabsReads();
}
