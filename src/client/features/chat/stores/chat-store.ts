import { create } from 'zustand';
import type { ChatMessage } from '../../../../shared/schemas';
import { lowerBound } from '../../../lib/lower-bound';
import { compareMessages } from '../lib/merge-messages';

export type DeliveryStatus = 'pending' | 'sent';

export interface LiveMessage extends ChatMessage {
  status: DeliveryStatus;
}

export interface ReceivedMessage {
  room: string;
  message: ChatMessage;
}

interface ChatStore {
  me: string | null;
  /**
   * Messages seen live (or sent from here) since sign-in, by room, ordered by (sentAt,
   * id). A room's array is replaced, never changed, when its messages change.
   */
  live: Record<string, readonly LiveMessage[]>;
  unread: Record<string, number>;
  /** The newest message from someone else that arrived live in each room. */
  latestFromOthers: Record<string, LiveMessage>;
  activeRoom: string | null;
  setMe(user: string): void;
  /** Messages from the broker: each has been accepted, so it counts as sent. */
  receiveBatch(batch: readonly ReceivedMessage[]): void;
  receive(room: string, message: ChatMessage): void;
  /** A message composed here, waiting for its PUBACK. */
  addPending(room: string, message: ChatMessage): void;
  /** PUBACK for an outbox id; no-op when the id is not a chat message. */
  markSent(id: string): void;
  setActiveRoom(room: string | null): void;
  reset(): void;
}

const initial = { me: null, live: {}, unread: {}, latestFromOthers: {}, activeRoom: null };

/**
 * Room arrays copied at most once per update, whatever the number of messages in it,
 * then changed in place: most arrivals append, a late one is inserted where it sorts.
 */
class LiveDraft {
  private readonly copies = new Map<string, LiveMessage[]>();
  constructor(private readonly live: Record<string, readonly LiveMessage[]>) {}

  private room(room: string): LiveMessage[] {
    let messages = this.copies.get(room);
    if (!messages) {
      messages = this.live[room]?.slice() ?? [];
      this.copies.set(room, messages);
    }
    return messages;
  }

  insert(room: string, message: LiveMessage): void {
    const messages = this.room(room);
    const last = messages[messages.length - 1];
    if (!last || compareMessages(last, message) < 0) messages.push(message);
    else messages.splice(lowerBound(messages, message, compareMessages), 0, message);
  }

  replace(room: string, known: LiveMessage, message: LiveMessage): void {
    const messages = this.room(room);
    const found = lowerBound(messages, known, compareMessages);
    const index = messages[found] === known ? found : messages.indexOf(known);
    if (index === -1) {
      this.insert(room, message);
    } else if (compareMessages(known, message) === 0) {
      messages[index] = message;
    } else {
      // Same id, another time: only a misbehaving sender does that; keep the order.
      messages.splice(index, 1);
      this.insert(room, message);
    }
  }

  result(): Record<string, readonly LiveMessage[]> | null {
    return this.copies.size === 0 ? null : { ...this.live, ...Object.fromEntries(this.copies) };
  }
}

export const useChatStore = create<ChatStore>()((set, get) => {
  // room → id → live message, to deduplicate and to find a message on its PUBACK
  // without searching. Only grows, like `live`; cleared with it.
  let known = new Map<string, Map<string, LiveMessage>>();
  const knownIn = (room: string) => {
    let ids = known.get(room);
    if (!ids) known.set(room, (ids = new Map()));
    return ids;
  };

  return {
    ...initial,
    setMe: (me) => set({ me }),
    receiveBatch: (batch) =>
      set((state) => {
        const draft = new LiveDraft(state.live);
        let unread: Record<string, number> | null = null;
        let latest: Record<string, LiveMessage> | null = null;
        for (const { room, message } of batch) {
          const ids = knownIn(room);
          const seen = ids.get(message.id);
          if (seen?.status === 'sent') continue; // a QoS 1 redelivery
          const sent: LiveMessage = { ...message, status: 'sent' };
          ids.set(message.id, sent);
          if (seen) {
            draft.replace(room, seen, sent);
            continue;
          }
          draft.insert(room, sent);
          if (message.from === state.me) continue;
          latest ??= { ...state.latestFromOthers };
          latest[room] = sent;
          if (room === state.activeRoom) continue;
          unread ??= { ...state.unread };
          unread[room] = (unread[room] ?? 0) + 1;
        }
        const live = draft.result();
        if (!live) return state;
        return {
          live,
          unread: unread ?? state.unread,
          latestFromOthers: latest ?? state.latestFromOthers,
        };
      }),
    receive: (room, message) => get().receiveBatch([{ room, message }]),
    addPending: (room, message) =>
      set((state) => {
        const ids = knownIn(room);
        if (ids.has(message.id)) return state;
        const pending: LiveMessage = { ...message, status: 'pending' };
        ids.set(message.id, pending);
        const draft = new LiveDraft(state.live);
        draft.insert(room, pending);
        return { live: draft.result() ?? state.live };
      }),
    markSent: (id) =>
      set((state) => {
        for (const [room, ids] of known) {
          const seen = ids.get(id);
          if (!seen) continue;
          if (seen.status === 'sent') return state;
          const sent: LiveMessage = { ...seen, status: 'sent' };
          ids.set(id, sent);
          const draft = new LiveDraft(state.live);
          draft.replace(room, seen, sent);
          return { live: draft.result() ?? state.live };
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
    reset: () => {
      known = new Map();
      set(initial);
    },
  };
});
