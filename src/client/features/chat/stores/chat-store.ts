import { create } from 'zustand';
import type { ChatMessage } from '../../../../shared/schemas';

export type DeliveryStatus = 'pending' | 'sent';

export interface LiveMessage extends ChatMessage {
  status: DeliveryStatus;
}

interface ChatStore {
  me: string | null;
  /** Messages seen live (or sent from here) since sign-in, by room then id. */
  live: Record<string, Record<string, LiveMessage>>;
  unread: Record<string, number>;
  activeRoom: string | null;
  setMe(user: string): void;
  /** A message from the broker: it has been accepted, so it counts as sent. */
  receive(room: string, message: ChatMessage): void;
  /** A message composed here, waiting for its PUBACK. */
  addPending(room: string, message: ChatMessage): void;
  /** PUBACK for an outbox id; no-op when the id is not a chat message. */
  markSent(id: string): void;
  setActiveRoom(room: string | null): void;
  reset(): void;
}

const initial = { me: null, live: {}, unread: {}, activeRoom: null };

export const useChatStore = create<ChatStore>()((set) => ({
  ...initial,
  setMe: (me) => set({ me }),
  receive: (room, message) =>
    set((state) => {
      const roomMessages = state.live[room] ?? {};
      const known = roomMessages[message.id];
      if (known?.status === 'sent') return state; // a QoS 1 redelivery
      const counts = !known && message.from !== state.me && room !== state.activeRoom;
      return {
        live: {
          ...state.live,
          [room]: { ...roomMessages, [message.id]: { ...message, status: 'sent' } },
        },
        unread: counts ? { ...state.unread, [room]: (state.unread[room] ?? 0) + 1 } : state.unread,
      };
    }),
  addPending: (room, message) =>
    set((state) => {
      const roomMessages = state.live[room] ?? {};
      if (roomMessages[message.id]) return state;
      return {
        live: {
          ...state.live,
          [room]: { ...roomMessages, [message.id]: { ...message, status: 'pending' } },
        },
      };
    }),
  markSent: (id) =>
    set((state) => {
      for (const [room, roomMessages] of Object.entries(state.live)) {
        const message = roomMessages[id];
        if (!message) continue;
        if (message.status === 'sent') return state;
        return {
          live: {
            ...state.live,
            [room]: { ...roomMessages, [id]: { ...message, status: 'sent' } },
          },
        };
      }
      return state;
    }),
  setActiveRoom: (activeRoom) =>
    set((state) => ({
      activeRoom,
      unread:
        activeRoom && state.unread[activeRoom]
          ? { ...state.unread, [activeRoom]: 0 }
          : state.unread,
    })),
  reset: () => set(initial),
}));
