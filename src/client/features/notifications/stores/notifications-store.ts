import { create } from 'zustand';
import {
  MAX_MARK_READ_IDS,
  type InboxPage,
  type NotificationReadMarks,
} from '../../../../shared/notifications-api';
import type { AppNotification } from '../../../../shared/schemas';
import {
  newerCursor,
  NO_UNSENT_MARKS,
  readSavedInbox,
  saveInbox,
  type UnsentMarks,
} from './saved-inbox';

// The server keeps every notification and which were read (GET /api/notifications), per
// person, so the inbox is the same on every device; this browser keeps a copy of it per
// account (`user@org`, saved-inbox.ts) for an instant first paint. Marks are shown at once
// and sent after (use-send-read-marks.ts); until the server has them, a listing that does
// not know of them yet changes nothing of them. A listing is of the server's newest
// notifications only: beyond it, the inbox has the server's count of the unread.
export const MAX_KEPT_NOTIFICATIONS = 200; // oldest fall off; localStorage is small
export { notificationsStorageKey } from './saved-inbox';

/** Where this tab stood when it asked the server for the inbox (beginInboxSync). */
export interface InboxSyncMark {
  /** The notifications it had: one arriving after them may be missing from the answer. */
  readonly known: ReadonlySet<string>;
  /** Marks made after this one (marks made so far) are newer than the answer may know. */
  readonly marks: number;
  /**
   * The marks not acknowledged yet: the answer may not know them either, even once they are
   * (the server may answer from before it took them, and the answers arrive in any order).
   */
  readonly unsentIds: ReadonlySet<string>;
  readonly unsentUpTo: string | null;
}

interface NotificationsStore {
  /** `user@org` (accountOf), whose inbox this is. */
  account: string | null;
  /** newest first */
  items: AppNotification[];
  readIds: Record<string, true>;
  /**
   * Unread notifications not among `items`: the server's unread older than its listing, and
   * those that fell off the oldest end of `items` (MAX_KEPT_NOTIFICATIONS).
   */
  unreadOlder: number;
  /** Where the server's newest notification was at the last listing (NotificationsPage). */
  newestCursor: string | null;
  /** Marks made here the server has not acknowledged yet: sent until it has. */
  unsent: UnsentMarks;
  /** Reads this account's saved inbox. */
  load(account: string): void;
  /**
   * A live notification. True when it is new to the inbox: not in it yet, and not one the
   * server counted beyond its last listing (a queued one delivered late, after a long time
   * away).
   */
  receive(notification: AppNotification): boolean;
  /** Call as the inbox is asked for; pass the result to applyInbox. */
  beginInboxSync(): InboxSyncMark;
  /**
   * The server's inbox, asked for at `mark`: it replaces what was listed before, and which
   * were read, but for what arrived since and marks made here the server may not know of.
   * False, changing nothing, when it is another account's (the session changed meanwhile).
   */
  applyInbox(mark: InboxSyncMark, page: InboxPage): boolean;
  markRead(id: string): void;
  /** Every notification read: those listed here, and up to newestCursor on the server. */
  markAllRead(): void;
  /** The server has `sent` (a nextMarks answer): they are no longer unsent. */
  acknowledgeMarks(sent: NotificationReadMarks): void;
  /** The server refused `sent` for good: they are undone here (the next listing says more). */
  rollBackMarks(sent: NotificationReadMarks): void;
  reset(): void;
}

const initial = {
  account: null,
  items: [],
  readIds: {},
  unreadOlder: 0,
  newestCursor: null,
  unsent: NO_UNSENT_MARKS,
};

/** The next request to send of `unsent`, at most MAX_MARK_READ_IDS; null when none. */
export function nextMarks(unsent: UnsentMarks): NotificationReadMarks | null {
  if (unsent.ids.length === 0 && unsent.upTo === null) return null;
  return {
    ...(unsent.ids.length > 0 ? { ids: unsent.ids.slice(0, MAX_MARK_READ_IDS) } : {}),
    ...(unsent.upTo !== null ? { upTo: unsent.upTo } : {}),
  };
}

const byNewest = (a: AppNotification, b: AppNotification) =>
  b.createdAt - a.createdAt || a.id.localeCompare(b.id);

const asSet = (ids: Iterable<string>): Record<string, true> =>
  Object.fromEntries([...ids].map((id) => [id, true as const]));

export const useNotificationsStore = create<NotificationsStore>()((set, get) => {
  // Marks made (markRead, markAllRead), and when each notification and "all" was last
  // marked: an answer asked for before a mark does not know of it, even once sent.
  let marks = 0;
  let markedAt = new Map<string, number>();
  let allMarkedAt = 0;
  // The marks this tab saw the server take or refuse: what other tabs saved of them is done.
  let settledIds = new Set<string>();
  let settledUpTo: string | null = null;
  // The oldest notification of the last listing, when the server had more than it listed:
  // one older is among those the server counted unread beyond it (unreadOlder).
  let listedDownTo: AppNotification | null = null;

  const save = () => {
    const { account, items, readIds, unreadOlder, newestCursor, unsent } = get();
    if (!account) return;
    saveInbox(
      account,
      { items, readIds: Object.keys(readIds), unreadOlder, newestCursor, unsent },
      { ids: settledIds, upTo: settledUpTo },
    );
  };

  const settle = (sent: NotificationReadMarks) => {
    for (const id of sent.ids ?? []) settledIds.add(id);
    settledUpTo = newerCursor(settledUpTo, sent.upTo ?? null);
  };

  // Only the newest are kept, with their read state; the unread among those that fall off
  // are still unread, and counted with the older ones.
  const keep = (items: AppNotification[], read: (id: string) => boolean) => {
    const sorted = [...items].sort(byNewest);
    const kept = sorted.slice(0, MAX_KEPT_NOTIFICATIONS);
    return {
      items: kept,
      readIds: asSet(kept.map((item) => item.id).filter(read)),
      droppedUnread: sorted.slice(MAX_KEPT_NOTIFICATIONS).filter((item) => !read(item.id)).length,
    };
  };

  const isBeyond = (item: AppNotification, oldestListed: AppNotification | null) =>
    oldestListed !== null && byNewest(item, oldestListed) > 0;

  const forgetMarks = () => {
    marks = 0;
    markedAt = new Map();
    allMarkedAt = 0;
    settledIds = new Set();
    settledUpTo = null;
    listedDownTo = null;
  };

  return {
    ...initial,
    load: (account) => {
      forgetMarks();
      const saved = readSavedInbox(account);
      // Unsent marks another tab saved are read here too.
      set({ account, ...saved, readIds: asSet([...saved.readIds, ...saved.unsent.ids]) });
    },
    receive: (notification) => {
      const { items, readIds, unreadOlder } = get();
      if (items.some((item) => item.id === notification.id)) return false;
      if (isBeyond(notification, listedDownTo)) return false;
      const read = (id: string) => readIds[id] === true;
      const { droppedUnread, ...next } = keep([...items, notification], read);
      set({ ...next, unreadOlder: unreadOlder + droppedUnread });
      save();
      return get().items.some((item) => item.id === notification.id);
    },
    beginInboxSync: () => {
      const { items, unsent } = get();
      return {
        known: new Set(items.map((item) => item.id)),
        marks,
        unsentIds: new Set(unsent.ids),
        unsentUpTo: unsent.upTo,
      };
    },
    applyInbox: (mark, page) => {
      const { account, items, readIds, unsent } = get();
      if (page.account !== account) return false;
      const listed = new Map(page.notifications.map((item) => [item.id, item]));
      const oldestListed = page.notifications.reduce<AppNotification | null>(
        (oldest, item) => (oldest === null || byNewest(item, oldest) > 0 ? item : oldest),
        null,
      );
      const downTo = page.nextCursor !== null ? oldestListed : null;
      // Arrived live while the answer was on its way: it may not have them yet. One older
      // than all it listed, when it has more, it has: a queued one delivered late.
      const arrived = items.filter(
        (item) => !listed.has(item.id) && !mark.known.has(item.id) && !isBeyond(item, downTo),
      );
      const unsentIds = new Set(unsent.ids);
      const markedHere = (id: string) =>
        unsentIds.has(id) || mark.unsentIds.has(id) || (markedAt.get(id) ?? 0) > mark.marks;
      const { droppedUnread, ...next } = keep(
        [...page.notifications.map(({ read: _read, ...item }) => item), ...arrived],
        (id) => {
          const item = listed.get(id);
          return item ? item.read || markedHere(id) : readIds[id] === true;
        },
      );
      const unreadListed = page.notifications.filter((item) => !item.read).length;
      const allMarked =
        allMarkedAt > mark.marks || unsent.upTo !== null || mark.unsentUpTo !== null;
      set({
        ...next,
        unreadOlder: (allMarked ? 0 : Math.max(0, page.unread - unreadListed)) + droppedUnread,
        newestCursor: page.newestCursor,
      });
      listedDownTo = downTo;
      // Later answers are asked for after these marks: the server has them or `unsent` does.
      for (const [id, at] of markedAt) if (at <= mark.marks) markedAt.delete(id);
      save();
      return true;
    },
    markRead: (id) => {
      if (get().readIds[id]) return;
      markedAt.set(id, ++marks);
      set((state) => ({
        readIds: { ...state.readIds, [id]: true },
        unsent: { ...state.unsent, ids: [...state.unsent.ids, id] },
      }));
      save();
    },
    markAllRead: () => {
      const { items, readIds, newestCursor, unsent, unreadOlder } = get();
      const unread = items.map((item) => item.id).filter((id) => !readIds[id]);
      ++marks;
      for (const id of unread) markedAt.set(id, marks);
      // Never listed (a first listing on its way): only what is here can be marked. The
      // listing then tells of the rest, still unread on the server.
      if (newestCursor !== null) allMarkedAt = marks;
      set({
        readIds: asSet(items.map((item) => item.id)),
        unreadOlder: newestCursor !== null ? 0 : unreadOlder,
        // By id too: what arrived live after the listing is past newestCursor.
        unsent: {
          ids: [...new Set([...unsent.ids, ...unread])],
          upTo: newestCursor ?? unsent.upTo,
        },
      });
      save();
    },
    acknowledgeMarks: (sent) => {
      const done = new Set(sent.ids);
      settle(sent);
      set(({ unsent }) => ({
        unsent: {
          ids: unsent.ids.filter((id) => !done.has(id)),
          upTo: unsent.upTo === sent.upTo ? null : unsent.upTo,
        },
      }));
      save();
    },
    rollBackMarks: (sent) => {
      const undone = new Set(sent.ids);
      for (const id of undone) markedAt.delete(id);
      if (sent.upTo !== undefined) allMarkedAt = 0;
      settle(sent);
      set(({ unsent, readIds }) => ({
        readIds: asSet(Object.keys(readIds).filter((id) => !undone.has(id))),
        unsent: {
          ids: unsent.ids.filter((id) => !undone.has(id)),
          upTo: unsent.upTo === sent.upTo ? null : unsent.upTo,
        },
      }));
      save();
    },
    reset: () => {
      forgetMarks();
      set(initial);
    },
  };
});

export const selectUnreadCount = (
  state: Pick<NotificationsStore, 'items' | 'readIds' | 'unreadOlder'>,
): number =>
  state.items.reduce((count, item) => (state.readIds[item.id] ? count : count + 1), 0) +
  state.unreadOlder;
