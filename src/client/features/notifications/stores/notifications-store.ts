import { create } from 'zustand';
import type { AppNotification } from '../../../../shared/schemas';

// Notifications are not retained by the broker and the server keeps no copy, so the
// inbox (and which items were read) lives in this browser, per user.
export const MAX_KEPT_NOTIFICATIONS = 200; // oldest fall off; localStorage is small
export const notificationsStorageKey = (user: string) => `switchboard:notifications:${user}`;

interface Persisted {
  items: AppNotification[];
  readIds: string[];
}

interface NotificationsStore {
  user: string | null;
  /** newest first */
  items: AppNotification[];
  readIds: Record<string, true>;
  /** Reads this user's saved inbox. */
  load(user: string): void;
  /** True when the notification was not in the inbox yet. */
  receive(notification: AppNotification): boolean;
  markRead(id: string): void;
  markAllRead(): void;
  reset(): void;
}

const initial = { user: null, items: [], readIds: {} };

export const useNotificationsStore = create<NotificationsStore>()((set, get) => {
  const save = () => {
    const { user, items, readIds } = get();
    if (!user) return;
    const persisted: Persisted = { items, readIds: Object.keys(readIds) };
    try {
      localStorage.setItem(notificationsStorageKey(user), JSON.stringify(persisted));
    } catch {
      // Storage full or disabled: the inbox still works until the tab closes.
    }
  };

  return {
    ...initial,
    load: (user) => set({ user, ...read(user) }),
    receive: (notification) => {
      if (get().items.some((item) => item.id === notification.id)) return false;
      const items = [...get().items, notification]
        .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id))
        .slice(0, MAX_KEPT_NOTIFICATIONS);
      const kept = new Set(items.map((item) => item.id));
      const readIds = Object.fromEntries(
        Object.keys(get().readIds)
          .filter((id) => kept.has(id))
          .map((id) => [id, true as const]),
      );
      set({ items, readIds });
      save();
      return kept.has(notification.id);
    },
    markRead: (id) => {
      if (get().readIds[id]) return;
      set((state) => ({ readIds: { ...state.readIds, [id]: true } }));
      save();
    },
    markAllRead: () => {
      set((state) => ({
        readIds: Object.fromEntries(state.items.map((item) => [item.id, true as const])),
      }));
      save();
    },
    reset: () => set(initial),
  };
});

export const selectUnreadCount = (state: Pick<NotificationsStore, 'items' | 'readIds'>): number =>
  state.items.reduce((count, item) => (state.readIds[item.id] ? count : count + 1), 0);

function read(user: string): Pick<NotificationsStore, 'items' | 'readIds'> {
  try {
    const raw = localStorage.getItem(notificationsStorageKey(user));
    if (!raw) return { items: [], readIds: {} };
    const parsed = JSON.parse(raw) as Partial<Persisted>;
    const items = Array.isArray(parsed.items) ? parsed.items.filter(isStoredNotification) : [];
    const readIds = Array.isArray(parsed.readIds)
      ? Object.fromEntries(
          parsed.readIds.filter((id) => typeof id === 'string').map((id) => [id, true as const]),
        )
      : {};
    return { items, readIds };
  } catch {
    return { items: [], readIds: {} };
  }
}

// What we wrote ourselves, but storage is user-editable: keep only well-formed items.
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
