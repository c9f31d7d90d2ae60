import { create } from 'zustand';
import type { AppNotification } from '../../../../shared/schemas';

// The server keeps every notification (GET /api/notifications); which ones were read is
// this browser's, per account (`user@org`), along with a copy of the inbox for an instant
// first paint.
export const MAX_KEPT_NOTIFICATIONS = 200; // oldest fall off; localStorage is small
export const notificationsStorageKey = (account: string) => `switchboard:notifications:${account}`;

interface Persisted {
  items: AppNotification[];
  readIds: string[];
}

interface NotificationsStore {
  /** `user@org` (accountOf), whose inbox this is. */
  account: string | null;
  /** newest first */
  items: AppNotification[];
  readIds: Record<string, true>;
  /** Reads this account's saved inbox. */
  load(account: string): void;
  /** True when the notification was not in the inbox yet. */
  receive(notification: AppNotification): boolean;
  /** Merges a batch (the server's inbox) in one update. */
  receiveMany(notifications: readonly AppNotification[]): void;
  markRead(id: string): void;
  markAllRead(): void;
  reset(): void;
}

const initial = { account: null, items: [], readIds: {} };

export const useNotificationsStore = create<NotificationsStore>()((set, get) => {
  const save = () => {
    const { account, items, readIds } = get();
    if (!account) return;
    const persisted: Persisted = { items, readIds: Object.keys(readIds) };
    try {
      localStorage.setItem(notificationsStorageKey(account), JSON.stringify(persisted));
    } catch {
      // Storage full or disabled: the inbox still works until the tab closes.
    }
  };

  const merge = (fresh: readonly AppNotification[]) => {
    const items = [...get().items, ...fresh]
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
  };

  return {
    ...initial,
    load: (account) => set({ account, ...read(account) }),
    receive: (notification) => {
      if (get().items.some((item) => item.id === notification.id)) return false;
      merge([notification]);
      return get().items.some((item) => item.id === notification.id);
    },
    receiveMany: (notifications) => {
      const known = new Set(get().items.map((item) => item.id));
      const fresh = notifications.filter((notification) => !known.has(notification.id));
      if (fresh.length > 0) merge(fresh);
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

function read(account: string): Pick<NotificationsStore, 'items' | 'readIds'> {
  try {
    const raw = localStorage.getItem(notificationsStorageKey(account));
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
