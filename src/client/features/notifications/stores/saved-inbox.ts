import { MAX_PAYLOAD_ID_LENGTH, type AppNotification } from '../../../../shared/schemas';

// The copy of an account's inbox this browser keeps (localStorage), for an instant first
// paint before the server answers, and for marks the server has not acknowledged yet: they
// are sent again after a reload. The server's answer replaces the rest.

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
}

export const NO_UNSENT_MARKS: UnsentMarks = { ids: [], upTo: null };

const emptyInbox = (): SavedInbox => ({
  items: [],
  readIds: [],
  unreadOlder: 0,
  newestCursor: null,
  unsent: NO_UNSENT_MARKS,
});

export function saveInbox(account: string, inbox: SavedInbox): void {
  try {
    localStorage.setItem(notificationsStorageKey(account), JSON.stringify(inbox));
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
  try {
    const raw = localStorage.getItem(notificationsStorageKey(account));
    if (!raw) return emptyInbox();
    // What we wrote ourselves, but storage is user-editable: keep only what is well-formed.
    const saved = JSON.parse(raw) as Partial<Record<keyof SavedInbox, unknown>>;
    const items = Array.isArray(saved.items) ? saved.items.filter(isStoredNotification) : [];
    const readIds = stringsIn(saved.readIds);
    const fromBefore = saved.unsent === undefined;
    return {
      items,
      readIds,
      unreadOlder: isCount(saved.unreadOlder) ? saved.unreadOlder : 0,
      newestCursor: typeof saved.newestCursor === 'string' ? saved.newestCursor : null,
      unsent: fromBefore ? { ids: readIds.filter(isMarkable), upTo: null } : unsentIn(saved.unsent),
    };
  } catch {
    return emptyInbox();
  }
}

function unsentIn(value: unknown): UnsentMarks {
  if (typeof value !== 'object' || value === null) return NO_UNSENT_MARKS;
  const { ids, upTo } = value as Record<string, unknown>;
  return {
    ids: stringsIn(ids).filter(isMarkable),
    upTo: typeof upTo === 'string' && /^[1-9][0-9]{0,15}$/.test(upTo) ? upTo : null,
  };
}

// What the server would refuse, with the rest of its request, never leaves.
const isMarkable = (id: string) => id.length > 0 && id.length <= MAX_PAYLOAD_ID_LENGTH;

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
