import { MAX_CHAT_TEXT_LENGTH } from '../../../../shared/schemas';

// What is typed in a room's composer and not sent, kept in sessionStorage so that a reload
// of the tab finds it, as it finds the outbox's unsent messages. Not localStorage: a draft
// is work in progress in one tab (two tabs writing one room's draft would overwrite each
// other at every keystroke), and on a shared computer text nobody sent should not outlive
// the tab on disk. Per account (`user@org`, accountOf): another person signing in to this
// tab never sees it.
//
// One entry per room, so that a keystroke writes that room's text alone, and an index of
// the rooms with a draft, least recently written first: written when a room gains or loses
// one, or when a room other than the last one written gets a keystroke.

/**
 * Rooms with a draft kept, the least recently written dropped first: a tab is not an
 * archive, and the draft being written is never the one to go.
 */
export const MAX_KEPT_DRAFTS = 20;
/** Longer than a message may be (a paste over the limit is kept whole to be cut down), bounded. */
export const MAX_KEPT_DRAFT_CHARS = MAX_CHAT_TEXT_LENGTH * 4;

export const draftsIndexKey = (account: string) => `switchboard:drafts:${account}`;
const draftKey = (account: string, room: string) =>
  `switchboard:draft:${account}:${encodeURIComponent(room)}`;

/** The draft kept for `room`, or '' (none, unreadable, or not this code's). */
export function readDraft(storage: Storage | null, account: string, room: string): string {
  try {
    if (!storage || !readIndex(storage, account).includes(room)) return '';
    const text = storage.getItem(draftKey(account, room)) ?? '';
    return text.length <= MAX_KEPT_DRAFT_CHARS ? text : '';
  } catch {
    return '';
  }
}

/** Keeps `text` as the room's draft; '' (sent or cleared) forgets it. */
export function saveDraft(
  storage: Storage | null,
  account: string,
  room: string,
  text: string,
): void {
  if (!storage) return;
  // One too long to keep is not kept cut short, nor an older version of it left behind.
  if (text.length === 0 || text.length > MAX_KEPT_DRAFT_CHARS) {
    forgetDraft(storage, account, room);
    return;
  }
  try {
    const index = readIndex(storage, account);
    storage.setItem(draftKey(account, room), text);
    // Typing on in the room written last leaves the index as it is.
    if (index.at(-1) === room) return;
    const rooms = [...index.filter((r) => r !== room), room];
    for (const dropped of rooms.splice(0, Math.max(0, rooms.length - MAX_KEPT_DRAFTS))) {
      storage.removeItem(draftKey(account, dropped));
    }
    writeIndex(storage, account, rooms);
  } catch {
    // Full or refused: the draft is still kept in memory until the tab closes. Not an
    // older version in its place, to come back after a reload (the text or the index
    // refused, what was kept goes), nor text its index does not list, taking up room.
    forgetDraft(storage, account, room);
  }
}

/** Takes the room's draft and its entry in the index out, each as far as storage lets. */
function forgetDraft(storage: Storage, account: string, room: string): void {
  try {
    storage.removeItem(draftKey(account, room));
  } catch {
    // Refused: unlisted below, it is not read back.
  }
  try {
    const index = readIndex(storage, account);
    const others = index.filter((r) => r !== room);
    if (others.length < index.length) writeIndex(storage, account, others);
  } catch {
    // Refused as well: whatever is left goes with the tab.
  }
}

/** Forgets every account's drafts in this tab: a sign-out leaves no unsent text behind. */
export function forgetAllDrafts(storage: Storage | null): void {
  forgetDraftsWhere(storage, () => true);
}

/** Forgets the drafts of every account but `account` (signed in to this tab now). */
export function forgetOtherAccountsDrafts(storage: Storage | null, account: string): void {
  const index = draftsIndexKey(account);
  const drafts = draftKey(account, ''); // no other account's starts so: ids hold no ':'
  forgetDraftsWhere(storage, (key) => key !== index && !key.startsWith(drafts));
}

function forgetDraftsWhere(storage: Storage | null, forget: (key: string) => boolean): void {
  if (!storage) return;
  try {
    const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i));
    for (const key of keys) {
      if (key?.startsWith('switchboard:draft') && forget(key)) storage.removeItem(key);
    }
  } catch {
    // Refused: what is kept goes with the tab.
  }
}

export function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // refused by the browser's settings
  }
}

/** The rooms with a draft, least recently written first; anything else counts as none. */
function readIndex(storage: Storage, account: string): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(draftsIndexKey(account)) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    const rooms = parsed.filter((room): room is string => typeof room === 'string');
    return [...new Set(rooms)].slice(-MAX_KEPT_DRAFTS);
  } catch {
    return [];
  }
}

function writeIndex(storage: Storage, account: string, rooms: string[]): void {
  if (rooms.length === 0) storage.removeItem(draftsIndexKey(account));
  else storage.setItem(draftsIndexKey(account), JSON.stringify(rooms));
}
