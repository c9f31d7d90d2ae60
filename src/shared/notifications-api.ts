import type { AppNotification } from './schemas';

// The shapes of GET /api/notifications and POST /api/notifications/read, shared so the
// server that builds them and the app that reads them cannot drift apart.

/**
 * The most unread notifications counted: past it the count says "at least this many", and
 * a person flooded with notifications costs the server one short index walk, not a count
 * of them all.
 */
export const NOTIFICATIONS_UNREAD_CAP = 1_000;

/** The most notification ids one POST /api/notifications/read may name: an inbox page's. */
export const MAX_MARK_READ_IDS = 100;

/** A listed notification, with whether its person has read it (on any device). */
export type InboxNotification = AppNotification & { read: boolean };

/** GET /api/notifications: one page of the caller's inbox, newest first. */
export interface NotificationsPage {
  notifications: InboxNotification[];
  /** Pass as `before` for the next older page; null when there is nothing older. */
  nextCursor: string | null;
  /** How many of the caller's notifications are unread, listed or not (the cap at most). */
  unread: number;
  /**
   * Where the caller's newest notification is, whichever page this is (null: none): as
   * `upTo`, it marks read what was listed, and nothing that arrives after it.
   */
  newestCursor: string | null;
}

/**
 * POST /api/notifications/read: these notifications, and (`upTo`, a newestCursor) the
 * caller's every notification up to that one. Ids that are not the caller's are passed over.
 */
export interface MarkNotificationsReadRequest {
  ids?: string[];
  upTo?: string;
}
