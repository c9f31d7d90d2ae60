import type { AppNotification } from './schemas';

// The shapes of GET /api/notifications and POST /api/notifications/read, shared so the
// server that builds them and the app that reads them cannot drift apart.

/**
 * The most unread notifications counted: past it the count says "at least this many", and
 * a person flooded with notifications costs the server one short index walk, not a count
 * of them all.
 */
export const NOTIFICATIONS_UNREAD_CAP = 1_000;

/**
 * The error code of a request made for one account under a session that is another's by
 * now (POST /api/notifications/read, 409): another tab signed someone else in.
 */
export const SESSION_CHANGED_CODE = 'session_changed';

/** The most notification ids one POST /api/notifications/read may name: an inbox page's. */
export const MAX_MARK_READ_IDS = 100;

/**
 * A notification cursor (nextCursor, newestCursor, `before`, upTo): the decimal seq of a
 * notification, at most 16 digits (a safe integer's). The client may compare two
 * numerically (as BigInt) to tell the newer one; nothing else about it is to be read.
 */
export const NOTIFICATION_CURSOR_PATTERN = /^[1-9][0-9]{0,15}$/;

/** A listed notification, with whether its person has read it (on any device). */
export type InboxNotification = AppNotification & { read: boolean };

/** One page of a person's inbox, newest first. */
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
 * GET /api/notifications: a page of the caller's inbox, and whose it is (`user@org`). The
 * session is the cookie's, and another tab may sign someone else in at any time: a tab
 * applies and keeps only an answer for the account it shows.
 */
export interface InboxPage extends NotificationsPage {
  account: string;
}

/** Which of the caller's notifications to mark read: these, and (`upTo`) up to that one. */
export interface NotificationReadMarks {
  /** Ids that are not the caller's are passed over. */
  ids?: string[];
  /** A newestCursor: every one of the caller's notifications up to that one. */
  upTo?: string;
}

/**
 * POST /api/notifications/read, for `account` (`user@org`): marks made while it was signed
 * in. If the session is someone else's by now (a sign-in in another tab), nothing is marked
 * and the answer is 409 session_changed: the marks wait for that account's next sign-in.
 */
export interface MarkNotificationsReadRequest extends NotificationReadMarks {
  account: string;
}
