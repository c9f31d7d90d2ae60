import { create } from 'zustand';
import type { Presence } from '../../../../shared/schemas';

export interface PresenceChange {
  user: string;
  clientId: string;
  /** null: the retained state was cleared */
  value: Presence | null;
}

/** user → client id → last state; one entry per tab or device. */
export type PresenceClients = Record<string, Record<string, Presence>>;

interface PresenceStore {
  clients: PresenceClients;
  apply(changes: readonly PresenceChange[]): void;
  reset(): void;
}

export const usePresenceStore = create<PresenceStore>()((set) => ({
  clients: {},
  apply: (changes) =>
    set((state) => {
      const clients = { ...state.clients };
      for (const { user, clientId, value } of changes) {
        const userClients = { ...clients[user] };
        if (value) userClients[clientId] = value;
        else delete userClients[clientId];
        clients[user] = userClients;
      }
      return { clients };
    }),
  reset: () => set({ clients: {} }),
}));

/** Online while any of the user's connections is: closing one tab keeps them online. */
export function isUserOnline(clients: PresenceClients, user: string): boolean {
  const userClients = clients[user];
  return userClients !== undefined && Object.values(userClients).some((p) => p.status === 'online');
}

export const useIsOnline = (user: string): boolean =>
  usePresenceStore((state) => isUserOnline(state.clients, user));
