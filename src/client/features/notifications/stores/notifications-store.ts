import { create } from 'zustand';
import {
  MAX_MARK_READ_IDS,
  type MarkNotificationsReadRequest,
  type NotificationsPage,
} from '../../../../shared/notifications-api';
import type { AppNotification } from '../../../../shared/schemas';
import { NO_UNSENT_MARKS, readSavedInbox, saveInbox, type UnsentMarks } from './saved-inbox';

// The server keeps every notification and which were read (GET /api/notifications), per
// person, so the inbox is the same on every device; this browser keeps a copy of it per
// account (`user@org`, saved-inbox.ts) for an instant first paint. Marks are shown at once
// and sent after (use-send-read-marks.ts); until the server has them, a listing that does
// not know of them yet changes nothing of them.
export const MAX_KEPT_NOTIFICATIONS = 200; // oldest fall off; localStorage is small
export { notificationsStorageKey } from './saved-inbox';
export type { UnsentMarks } from './saved-inbox';

/** Where this tab stood when it asked the server for the inbox (beginInboxSync). */
export interface InboxSyncMark {
  /** The notifications it had: one arriving after them may be missing from the answer. */
  readonly known: ReadonlySet<string>;
  /** Marks made after this one (marks made so far) are newer than the answer may know. */
  readonly marks: number;
}

interface NotificationsStore {
  /** `user@org` (accountOf), whose inbox this is. */
  account: string | null;
  /** newest first */
  items: AppNotification[];
  readIds: Record<string, true>;
  /** Unread on the server among notifications older than all of `items` (not listed). */
  unreadOlder: number;
  /** Where the server's newest notification was at the last listing (NotificationsPage). */
  newestCursor: string | null;
  /** Marks made here the server has not acknowledged yet: sent until it has. */
  unsent: UnsentMarks;
  /** Reads this account's saved inbox. */
  load(account: string): void;
  /** A live notification. True when it was not in the inbox yet. */
  receive(notification: AppNotification): boolean;
  /** Call as the inbox is asked for; pass the result to applyInbox. */
  beginInboxSync(): InboxSyncMark;
  /**
   * The server's inbox, asked for at `mark`: it replaces what was listed before, and which
   * were read, but for what arrived since and marks made here the server may not know of.
   */
  applyInbox(mark: InboxSyncMark, page: NotificationsPage): void;
  markRead(id: string): void;
  /** Every notification read: those listed here, and up to newestCursor on the server. */
  markAllRead(): void;
  /** The server has `sent` (a nextMarks answer): they are no longer unsent. */
  acknowledgeMarks(sent: MarkNotificationsReadRequest): void;
  /** The server refused `sent` for good: they are undone here (the next listing says more). */
  rollBackMarks(sent: MarkNotificationsReadRequest): void;
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
export function nextMarks(unsent: UnsentMarks): MarkNotificationsReadRequest | null {
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

  const save = () => {
    const { account, items, readIds, unreadOlder, newestCursor, unsent } = get();
    if (!account) return;
    saveInbox(account, {
      items,
      readIds: Object.keys(readIds),
      unreadOlder,
      newestCursor,
      unsent,
    });
  };

  // Only the kept notifications' read state is kept.
  const keep = (items: AppNotification[], read: (id: string) => boolean) => {
    const kept = [...items].sort(byNewest).slice(0, MAX_KEPT_NOTIFICATIONS);
    return {
      items: kept,
      readIds: asSet(kept.map((item) => item.id).filter(read)),
    };
  };

  const markedHere = (id: string, since: number) =>
    get().unsent.ids.includes(id) || (markedAt.get(id) ?? 0) > since;

  const forgetMarks = () => {
    marks = 0;
    markedAt = new Map();
    allMarkedAt = 0;
  };

  return {
    ...initial,
    load: (account) => {
      forgetMarks();
      const saved = readSavedInbox(account);
      set({ account, ...saved, readIds: asSet(saved.readIds) });
    },
    receive: (notification) => {
      const { items, readIds } = get();
      if (items.some((item) => item.id === notification.id)) return false;
      set(keep([...items, notification], (id) => readIds[id] === true));
      save();
      return get().items.some((item) => item.id === notification.id);
    },
    beginInboxSync: () => ({ known: new Set(get().items.map((item) => item.id)), marks }),
    applyInbox: (mark, page) => {
      const { items, readIds, unsent } = get();
      const listed = new Map(page.notifications.map((item) => [item.id, item]));
      // Arrived live while the answer was on its way: it may not have them yet.
      const arrived = items.filter((item) => !listed.has(item.id) && !mark.known.has(item.id));
      const next = keep(
        [...page.notifications.map(({ read: _read, ...item }) => item), ...arrived],
        (id) => {
          const item = listed.get(id);
          return item ? item.read || markedHere(id, mark.marks) : readIds[id] === true;
        },
      );
      const unreadListed = page.notifications.filter((item) => !item.read).length;
      const allMarked = allMarkedAt > mark.marks || unsent.upTo !== null;
      set({
        ...next,
        unreadOlder: allMarked ? 0 : Math.max(0, page.unread - unreadListed),
        newestCursor: page.newestCursor,
      });
      // Later answers are asked for after these marks: the server has them or `unsent` does.
      for (const [id, at] of markedAt) if (at <= mark.marks) markedAt.delete(id);
      save();
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
      const { items, readIds, newestCursor, unsent } = get();
      const unread = items.map((item) => item.id).filter((id) => !readIds[id]);
      allMarkedAt = ++marks;
      for (const id of unread) markedAt.set(id, marks);
      set({
        readIds: asSet(items.map((item) => item.id)),
        unreadOlder: 0,
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
