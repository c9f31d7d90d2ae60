import { UNREAD_CAP } from '../../shared/unread-api';
import type { View } from './navigation-store';
import { APP_NAME } from './document-title';
import { describeUnknownAddress, type UnknownAddress } from './unknown-address';

/** A room view's title when the room list does not have the room (as its heading says). */
export const ROOM_NOT_FOUND_TITLE = 'Room not found';
/** The title of an address that names no view at all. */
export const PAGE_NOT_FOUND_TITLE = 'Page not found';

/** What an address that names no view is called: a room's address is a room not found. */
export function notFoundTitle(hash: string): string {
  return notFoundTitleOf(describeUnknownAddress(hash));
}

/** notFoundTitle of an address already described (describeUnknownAddress). */
export function notFoundTitleOf({ kind }: Pick<UnknownAddress, 'kind'>): string {
  return kind === 'room' ? ROOM_NOT_FOUND_TITLE : PAGE_NOT_FOUND_TITLE;
}

/** What the tab calls `view`; a room by its name when known (`roomName`), else its id. */
export function viewTitle(view: View, roomName?: string): string {
  switch (view.name) {
    case 'home':
      return 'Welcome';
    case 'room':
      return `#${roomName ?? view.room}`;
    case 'people':
      return 'People';
    case 'agents':
      return 'Agents';
    case 'agent':
      return `${view.agent} — Agents`;
    case 'notifications':
      return 'Notifications';
    case 'admin':
      return 'Admin';
    case 'not-found':
      return notFoundTitle(view.hash);
  }
}

/** The tab's title: unread messages in front when there are any, like other chat apps. */
export function workspaceTitle(page: string, unread: number): string {
  const title = `${page} — ${APP_NAME}`;
  if (unread <= 0) return title;
  // Past the cap as the room badges say it: the server counts no further per room.
  return `(${unread >= UNREAD_CAP ? `${UNREAD_CAP - 1}+` : unread}) ${title}`;
}

/**
 * Unread messages in the rooms of the room list, as their badges show them: a count kept
 * for a room the list does not have (no longer readable) would show nowhere else.
 * Nothing without a list (no badges either).
 */
export function totalUnread(
  unread: Readonly<Record<string, number>>,
  rooms: readonly { id: string }[] | undefined,
): number {
  let total = 0;
  for (const room of rooms ?? []) total += unread[room.id] ?? 0;
  return total;
}
