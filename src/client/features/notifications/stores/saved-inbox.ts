import { NOTIFICATION_CURSOR_PATTERN } from '../../../../shared/notifications-api';
import { isPayloadId, type AppNotification } from '../../../../shared/schemas';

// The copy of an account's inbox this browser keeps (localStorage), for an instant first
// paint before the server answers, and for marks the server has not acknowledged yet: they
// are sent again after a reload. The server's answer replaces the rest.
//
// Every tab of the account writes the one copy. The inbox is each tab's to write over (the
// server's answer puts any of them right), but not the unsent marks (nor those an unsent
// upTo alone marked read, `covered`): a tab that has not made another tab's mark keeps it
// saved, until a tab that saw the server take it (or refuse it) saves. Else a tab that only
// received a notification would erase the mark another tab made offline, and a reload of
// that one would lose it.

export const notificationsStorageKey = (account: string) => `switchboard:notifications:${account}`;

/** Marks made here that the server has not acknowledged (POST /api/notifications/read). */
export interface UnsentMarks {
  ids: string[];
  /** Everything up to this cursor (the server's newestCursor when all were marked read). */
  upTo: string | null;
}

export interface SavedInbox {
  /** newest first */
  items: AppNotification[];
  readIds: string[];
  unreadOlder: number;
  newestCursor: string | null;
  unsent: UnsentMarks;
  /**
   * Marked read by `unsent.upTo` alone, not sent by id: read until the server has it (an
   * answer may be from before), and undone if it refuses it.
   */
  covered: string[];
}

export const NO_UNSENT_MARKS: UnsentMarks = { ids: [], upTo: null };

/** Marks this tab saw the server acknowledge or refuse for good: not unsent for anyone. */
export interface SettledMarks {
  ids: ReadonlySet<string>;
  /** The newest upTo settled; every one up to it is. */
  upTo: string | null;
}

const emptyInbox = (): SavedInbox => ({
  items: [],
  readIds: [],
  unreadOlder: 0,
  newestCursor: null,
  unsent: NO_UNSENT_MARKS,
  covered: [],
});

/** Saves `inbox`, keeping the unsent marks other tabs saved but for those `settled`. */
export function saveInbox(account: string, inbox: SavedInbox, settled: SettledMarks): void {
  try {
    const key = notificationsStorageKey(account);
    const saved = readStored(key);
    const others = saved ? unsentOf(saved) : NO_UNSENT_MARKS;
    const ids = [...inbox.unsent.ids, ...others.ids.filter((id) => !settled.ids.has(id))];
    const theirUpTo = isSettled(others.upTo, settled.upTo) ? null : others.upTo;
    const unsent = { ids: [...new Set(ids)], upTo: newerCursor(inbox.unsent.upTo, theirUpTo) };
    // What their upTo alone marked read stays, as long as it does.
    const covered = [...inbox.covered, ...(theirUpTo !== null ? stringsIn(saved?.covered) : [])];
    localStorage.setItem(key, JSON.stringify({ ...inbox, unsent, covered: [...new Set(covered)] }));
  } catch {
    // Storage full or disabled: the inbox still works until the tab closes.
  }
}

/**
 * What this browser kept of the account's inbox. A copy from before the server kept read
 * state (no `unsent`) has the only record of what was read here: those marks go to the
 * server as unsent ones.
 */
export function readSavedInbox(account: string): SavedInbox {
  // What we wrote ourselves, but storage is user-editable: keep only what is well-formed.
  const saved = readStored(notificationsStorageKey(account));
  if (!saved) return emptyInbox();
  const unsent = unsentOf(saved);
  return {
    items: Array.isArray(saved.items) ? saved.items.filter(isStoredNotification) : [],
    readIds: stringsIn(saved.readIds),
    unreadOlder: isCount(saved.unreadOlder) ? saved.unreadOlder : 0,
    newestCursor: typeof saved.newestCursor === 'string' ? saved.newestCursor : null,
    unsent,
    covered: unsent.upTo === null ? [] : stringsIn(saved.covered),
  };
}

type StoredInbox = Partial<Record<keyof SavedInbox, unknown>>;

function readStored(key: string): StoredInbox | null {
  try {
    const raw = localStorage.getItem(key);
    const saved: unknown = raw ? JSON.parse(raw) : null;
    return typeof saved === 'object' && saved !== null ? (saved as StoredInbox) : null;
  } catch {
    return null;
  }
}

// A copy from before the server kept read state (no `unsent`): what it has as read.
const unsentOf = (saved: StoredInbox): UnsentMarks =>
  saved.unsent === undefined
    ? { ids: stringsIn(saved.readIds).filter(isMarkable), upTo: null }
    : unsentIn(saved.unsent);

// Cursors are decimal seqs (unsentIn): compared as numbers, not as strings.
const isSettled = (upTo: string | null, settled: string | null) =>
  upTo !== null && settled !== null && BigInt(upTo) <= BigInt(settled);

/** The newer of two cursors (null: none). */
export const newerCursor = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null || BigInt(a) >= BigInt(b) ? a : b;

function unsentIn(value: unknown): UnsentMarks {
  if (typeof value !== 'object' || value === null) return NO_UNSENT_MARKS;
  const { ids, upTo } = value as Record<string, unknown>;
  return {
    ids: stringsIn(ids).filter(isMarkable),
    upTo: typeof upTo === 'string' && NOTIFICATION_CURSOR_PATTERN.test(upTo) ? upTo : null,
  };
}

// What the server would refuse, with the rest of its request, never leaves.
const isMarkable = isPayloadId;

const stringsIn = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function isStoredNotification(value: unknown): value is AppNotification {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item.id === 'string' &&
    typeof item.title === 'string' &&
    typeof item.body === 'string' &&
    typeof item.createdAt === 'number' &&
    (item.link === undefined || typeof item.link === 'string')
  );
}
