// The shapes of GET /api/unread and PUT /api/rooms/:room/read, shared so the server that
// builds them and the app that reads them cannot drift apart.

/**
 * The most unread messages counted per room: the app shows "99+" from here on, and a
 * room with a long backlog costs the server one short index walk, not a count of it all.
 */
export const UNREAD_CAP = 100;

/** The most message ids one PUT /api/rooms/:room/read may name. */
export const MAX_READ_CANDIDATES = 10;

export interface RoomUnread {
  room: string;
  /** Messages from others after the caller's read position, at most UNREAD_CAP. */
  unread: number;
}

/** GET /api/unread: every room the caller may read. */
export interface UnreadCounts {
  /**
   * The server's clock (ms since the epoch) as it counted. A message with an earlier
   * sentAt that a tab is sent live afterwards (its persistent session's queue) is in the
   * counts already, as unread or as read elsewhere; one from then on is not.
   */
  asOf: number;
  rooms: RoomUnread[];
}

/**
 * PUT /api/rooms/:room/read: read up to the newest (by history order) of these messages,
 * all of which the caller has been shown. Several, because a tab knows no history order:
 * the newest of its history page, the newest of its timeline (by sentAt) and the last to
 * arrive live may be any way round.
 */
export interface MarkReadRequest {
  upTo: string[];
}
