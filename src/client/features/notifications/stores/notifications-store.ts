import { create } from 'zustand';
import {
  MAX_MARK_READ_IDS,
  NOTIFICATION_CURSOR_PATTERN,
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
// notifications only: beyond it, the inbox has the server's count of the unread, and, held in
// this tab only, what fell off the newest kept and the older pages the person asks for
// (applyOlder).
export const MAX_KEPT_NOTIFICATIONS = 200; // oldest fall off; localStorage is small
// Past this many held in `older` (five older pages, or arrivals pushed down in a tab left
// open), the next listing with the inbox not on screen (show) starts the older pages again:
// all of it is rendered, and kept. Not under the reader's eyes: their place would go.
export const MAX_OLDER_NOTIFICATIONS = 500;
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
  /**
   * What fell off the oldest end of `items` (MAX_KEPT_NOTIFICATIONS), and older pages asked
   * for (applyOlder): newest first, all older than `items`, held in this tab only (not saved).
   * A listing that starts the older pages again (applyInbox) empties it; one does past
   * MAX_OLDER_NOTIFICATIONS, with the inbox not on screen.
   */
  older: AppNotification[];
  /** Of `items` and `older`. */
  readIds: Record<string, true>;
  /** Unread notifications in neither `items` nor `older`: the server's, beyond what is held. */
  unreadOlder: number;
  /** Where the server's newest notification was at the last listing (NotificationsPage). */
  newestCursor: string | null;
  /**
   * `before` of the next older page (GET /api/notifications): right after what `items` and
   * `older` hold. Null when the server has nothing older, or nothing was listed yet.
   */
  olderCursor: string | null;
  /**
   * Live notifications new to the inbox since it was first listed (receive), and the last of
   * them: what to announce. Those before the first listing are part of it, not news.
   */
  arrivals: { count: number; last: AppNotification | null };
  /** Marks made here the server has not acknowledged yet: sent until it has. */
  unsent: UnsentMarks;
  /** Reads this account's saved inbox. */
  load(account: string): void;
  /** The inbox is on screen (the panel), until the call this returns. */
  show(): () => void;
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
  /**
   * An older page, asked for at `mark` with `before` (olderCursor then): added below what
   * is held. The id of the newest of those it added (the first shown of them), to go on to;
   * null when it added none. Null, changing nothing, when it is another account's, or
   * `before` is no longer where the inbox ends (a listing restarted it meanwhile).
   */
  applyOlder(mark: InboxSyncMark, before: string, page: InboxPage): string | null;
  markRead(id: string): void;
  /** Every notification read: those held here, and up to newestCursor on the server. */
  markAllRead(): void;
  /** The server has `sent` (a nextMarks answer): they are no longer unsent. */
  acknowledgeMarks(sent: NotificationReadMarks): void;
  /** The server refused `sent` for good: they are undone here (the next listing says more). */
  rollBackMarks(sent: NotificationReadMarks): void;
  reset(): void;
}

const NO_ARRIVALS = { count: 0, last: null };

const initial = {
  account: null,
  items: [],
  older: [],
  readIds: {},
  unreadOlder: 0,
  newestCursor: null,
  olderCursor: null,
  unsent: NO_UNSENT_MARKS,
  arrivals: NO_ARRIVALS,
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

const idsOf = (items: readonly AppNotification[]) => items.map((item) => item.id);

const countUnread = (items: readonly AppNotification[], read: (id: string) => boolean) =>
  items.reduce((count, item) => (read(item.id) ? count : count + 1), 0);

// Whether a listing whose oldest is at `cursor` (its nextCursor) reaches down to `top` (the
// newest of an earlier listing): seqs, compared as numbers (notifications-api.ts).
const reachesDownTo = (cursor: string, top: string | null) =>
  top !== null && NOTIFICATION_CURSOR_PATTERN.test(top) && BigInt(cursor) <= BigInt(top);

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
  // Whether a listing was applied since load: live ones before it are part of it.
  let listed = false;
  // Whether an older page was added since load (or since a listing started them again): a
  // listing that reaches down to what is held then keeps what it no longer lists, in `older`,
  // and olderCursor where it was.
  let pagedBack = false;
  // Panels showing the inbox (show): a listing leaves `older` to them, past its bound too
  // (MAX_OLDER_NOTIFICATIONS). The page's, not the account's: load and reset keep it.
  let shownIn = 0;
  // Held ones a listing or older page of this tab brought: as old as that listing's newest
  // or older (seqs only grow), so newestCursor as `upTo` covers them; not one that came live.
  let listedIds = new Set<string>();
  // Those "all read" left to its upTo alone, not sent by id: until the server has that upTo,
  // an answer that says they are unread may be from before it, as for unsent ids. Saved with
  // it (`covered`), for a reload or another tab.
  let coveredIds = new Set<string>();
  const pendingIds = (ids: readonly string[]) => new Set([...ids, ...coveredIds]);
  // `sent` settles the newest upTo unsent: what it covers is no longer pending. Returns those.
  const settleCovered = (sent: NotificationReadMarks) => {
    if (sent.upTo !== get().unsent.upTo) return [];
    const settled = [...coveredIds];
    coveredIds = new Set();
    return settled;
  };

  const save = () => {
    const { account, items, older, readIds, unreadOlder, newestCursor, unsent } = get();
    if (!account) return;
    // `older` is not kept: after a reload, its unread are counted like the rest beyond.
    const read = (id: string) => readIds[id] === true;
    saveInbox(
      account,
      {
        items,
        readIds: idsOf(items).filter(read),
        unreadOlder: unreadOlder + countUnread(older, read),
        newestCursor,
        unsent,
        covered: idsOf(items).filter((id) => coveredIds.has(id)),
      },
      { ids: settledIds, upTo: settledUpTo },
    );
  };

  const settle = (sent: NotificationReadMarks) => {
    for (const id of sent.ids ?? []) settledIds.add(id);
    settledUpTo = newerCursor(settledUpTo, sent.upTo ?? null);
  };

  // Only the newest are kept in `items`; those that fall off join `older`, whose oldest stays
  // where it was: Load older (olderCursor) goes on below it and skips none of them, and "all
  // read" can name them (one that arrived live is past the listing's newestCursor).
  const keep = (
    items: readonly AppNotification[],
    older: readonly AppNotification[],
    read: (id: string) => boolean,
  ) => {
    const sorted = [...items].sort(byNewest);
    const kept = sorted.slice(0, MAX_KEPT_NOTIFICATIONS);
    const keptIds = new Set(idsOf(kept));
    const below = [...sorted.slice(MAX_KEPT_NOTIFICATIONS), ...older]
      .filter((item) => !keptIds.has(item.id))
      .sort(byNewest);
    return {
      items: kept,
      older: below,
      readIds: asSet([...idsOf(kept), ...idsOf(below)].filter(read)),
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
    listed = false;
    pagedBack = false;
    listedIds = new Set();
    coveredIds = new Set();
  };

  return {
    ...initial,
    load: (account) => {
      forgetMarks();
      const { covered, ...saved } = readSavedInbox(account);
      // Unsent marks (before a reload, or another tab's) are read here too; those an unsent
      // upTo alone covers are kept read against an answer from before it, as this tab's are.
      coveredIds = new Set(covered);
      set({
        ...initial,
        account,
        ...saved,
        readIds: asSet([...saved.readIds, ...saved.unsent.ids, ...covered]),
      });
    },
    show: () => {
      shownIn++;
      return () => void shownIn--;
    },
    receive: (notification) => {
      const { items, older, readIds, arrivals } = get();
      const isIt = (item: AppNotification) => item.id === notification.id;
      if (items.some(isIt) || older.some(isIt)) return false;
      if (isBeyond(notification, listedDownTo)) return false;
      const next = keep([...items, notification], older, (id) => readIds[id] === true);
      const isNew = next.items.some(isIt);
      set({
        ...next,
        ...(isNew && listed ? { arrivals: { count: arrivals.count + 1, last: notification } } : {}),
      });
      save();
      return isNew;
    },
    beginInboxSync: () => {
      const { items, unsent } = get();
      return {
        known: new Set(items.map((item) => item.id)),
        marks,
        unsentIds: pendingIds(unsent.ids),
        unsentUpTo: unsent.upTo,
      };
    },
    applyInbox: (mark, page) => {
      const { account, items, older, readIds, unsent, newestCursor } = get();
      if (page.account !== account) return false;
      const listing = new Map(page.notifications.map((item) => [item.id, item]));
      const oldestListed = page.notifications.reduce<AppNotification | null>(
        (oldest, item) => (oldest === null || byNewest(item, oldest) > 0 ? item : oldest),
        null,
      );
      const downTo = page.nextCursor !== null ? oldestListed : null;
      // Arrived live while the answer was on its way: it may not have them yet. One older
      // than all it listed, when it has more, it has: a queued one delivered late.
      const arrived = items.filter(
        (item) => !listing.has(item.id) && !mark.known.has(item.id) && !isBeyond(item, downTo),
      );
      // With an older page held, what the listing no longer reaches (newer ones pushed it
      // out) is what lies between it and that page: kept, below `items`. Else the older
      // pages start again where the listing ends, and `older` goes (the server counts it):
      // also when the listing does not reach down to the last one's newest (a page or more
      // was sent that this tab did not hear of), as those between would be in neither; and
      // when `older` has grown past its bound, out of sight (Load older brings it back,
      // skipping none).
      if (
        page.nextCursor === null ||
        !reachesDownTo(page.nextCursor, newestCursor) ||
        (older.length > MAX_OLDER_NOTIFICATIONS && shownIn === 0)
      ) {
        pagedBack = false;
      }
      const passed = pagedBack
        ? [...items.filter((item) => !listing.has(item.id) && isBeyond(item, downTo)), ...older]
        : [];
      const unsentIds = pendingIds(unsent.ids);
      const markedHere = (id: string) =>
        unsentIds.has(id) || mark.unsentIds.has(id) || (markedAt.get(id) ?? 0) > mark.marks;
      const next = keep(
        [...page.notifications.map(({ read: _read, ...item }) => item), ...arrived],
        passed,
        (id) => {
          const item = listing.get(id);
          return item ? item.read || markedHere(id) : readIds[id] === true;
        },
      );
      const unreadListed = page.notifications.filter((item) => !item.read).length;
      // The server's count has those of `older` it has as unread: counted there, not twice.
      // Its read state of them is the last one heard, but for marks it may not know yet.
      const unreadHeld = countUnread(
        next.older.filter((item) => !listing.has(item.id)),
        (id) => next.readIds[id] === true && !markedHere(id),
      );
      const allMarked =
        allMarkedAt > mark.marks || unsent.upTo !== null || mark.unsentUpTo !== null;
      set({
        ...next,
        unreadOlder: allMarked ? 0 : Math.max(0, page.unread - unreadListed - unreadHeld),
        newestCursor: page.newestCursor,
        ...(pagedBack ? {} : { olderCursor: page.nextCursor }),
      });
      listedDownTo = downTo;
      listed = true;
      const held = new Set([...idsOf(next.items), ...idsOf(next.older)]);
      listedIds = new Set([...listedIds, ...listing.keys()].filter((id) => held.has(id)));
      // Later answers are asked for after these marks: the server has them or `unsent` does.
      for (const [id, at] of markedAt) if (at <= mark.marks) markedAt.delete(id);
      save();
      return true;
    },
    applyOlder: (mark, before, page) => {
      const { account, items, older, readIds, unsent, unreadOlder, olderCursor } = get();
      if (page.account !== account || before !== olderCursor) return null;
      const held = new Set([...idsOf(items), ...idsOf(older)]);
      const added = page.notifications.filter((item) => !held.has(item.id));
      // None of them was shown here to be marked, but another tab's unsent marks may name
      // them, and "all read" covers every one.
      const allMarked =
        allMarkedAt > mark.marks || unsent.upTo !== null || mark.unsentUpTo !== null;
      const unsentIds = pendingIds(unsent.ids);
      const read = added.filter(
        (item) => item.read || allMarked || unsentIds.has(item.id) || mark.unsentIds.has(item.id),
      );
      pagedBack = true;
      for (const item of page.notifications) listedIds.add(item.id);
      const shown = added.map(({ read: _read, ...item }) => item).sort(byNewest);
      set({
        older: [...older, ...shown].sort(byNewest),
        readIds: { ...readIds, ...asSet(idsOf(read)) },
        // They were among the server's unread beyond what was held.
        unreadOlder: Math.max(0, unreadOlder - added.filter((item) => !item.read).length),
        olderCursor: page.nextCursor,
      });
      save();
      return shown[0]?.id ?? null;
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
      const { items, older, readIds, newestCursor, unsent, unreadOlder } = get();
      const unread = [...idsOf(items), ...idsOf(older)].filter((id) => !readIds[id]);
      ++marks;
      for (const id of unread) markedAt.set(id, marks);
      // Never listed (a first listing on its way): only what is here can be marked. The
      // listing then tells of the rest, still unread on the server.
      if (newestCursor !== null) {
        allMarkedAt = marks;
        for (const id of unread) if (listedIds.has(id)) coveredIds.add(id);
      }
      set({
        readIds: asSet([...idsOf(items), ...idsOf(older)]),
        unreadOlder: newestCursor !== null ? 0 : unreadOlder,
        // By id, what upTo does not cover: what arrived live after the listing (past
        // newestCursor, in `items` or fallen off into `older`), and all before this tab
        // listed any. nextMarks sends them MAX_MARK_READ_IDS at a time.
        unsent: {
          ids: [...new Set([...unsent.ids, ...unread.filter((id) => !coveredIds.has(id))])],
          upTo: newestCursor ?? unsent.upTo,
        },
      });
      save();
    },
    acknowledgeMarks: (sent) => {
      const done = new Set(sent.ids);
      settle(sent);
      settleCovered(sent);
      set(({ unsent }) => ({
        unsent: {
          ids: unsent.ids.filter((id) => !done.has(id)),
          upTo: unsent.upTo === sent.upTo ? null : unsent.upTo,
        },
      }));
      save();
    },
    rollBackMarks: (sent) => {
      const undone = new Set([...(sent.ids ?? []), ...settleCovered(sent)]);
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
  state: Pick<NotificationsStore, 'items' | 'older' | 'readIds' | 'unreadOlder'>,
): number => {
  const read = (id: string) => state.readIds[id] === true;
  return countUnread(state.items, read) + countUnread(state.older, read) + state.unreadOlder;
};
