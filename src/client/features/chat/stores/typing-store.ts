import { create } from 'zustand';

// Someone's "is typing" lasts this long unless they refresh it; senders refresh every
// TYPING_THROTTLE_MS, so a missed refresh or a closed tab fades on its own.
export const TYPING_TTL_MS = 5_000;

export interface TypingSignal {
  room: string;
  from: string;
  typing: boolean;
}

interface TypingStore {
  /** room → user → expiry (ms since the epoch) */
  typing: Record<string, Record<string, number>>;
  apply(signals: readonly TypingSignal[], now: number): void;
  /** Their message arrived: the indicator has done its job. */
  clear(room: string, from: string): void;
  /** `clear` for several messages, in one update. */
  clearSenders(senders: ReadonlyArray<{ room: string; from: string }>): void;
  prune(now: number): void;
  reset(): void;
}

export const useTypingStore = create<TypingStore>()((set) => ({
  typing: {},
  apply: (signals, now) =>
    set((state) => {
      const typing = { ...state.typing };
      for (const { room, from, typing: isTyping } of signals) {
        const roomTyping = { ...typing[room] };
        if (isTyping) roomTyping[from] = now + TYPING_TTL_MS;
        else delete roomTyping[from];
        typing[room] = roomTyping;
      }
      return { typing };
    }),
  clear: (room, from) =>
    set((state) => {
      if (state.typing[room]?.[from] === undefined) return state;
      const roomTyping = { ...state.typing[room] };
      delete roomTyping[from];
      return { typing: { ...state.typing, [room]: roomTyping } };
    }),
  clearSenders: (senders) =>
    set((state) => {
      let typing: Record<string, Record<string, number>> | null = null;
      for (const { room, from } of senders) {
        const current: Record<string, Record<string, number>> = typing ?? state.typing;
        if (current[room]?.[from] === undefined) continue;
        const roomTyping = { ...current[room] };
        delete roomTyping[from];
        typing = { ...current, [room]: roomTyping };
      }
      return typing ? { typing } : state;
    }),
  prune: (now) =>
    set((state) => {
      let changed = false;
      const typing: Record<string, Record<string, number>> = {};
      for (const [room, users] of Object.entries(state.typing)) {
        const kept = Object.fromEntries(
          Object.entries(users).filter(([, expiresAt]) => expiresAt > now),
        );
        if (Object.keys(kept).length !== Object.keys(users).length) changed = true;
        typing[room] = kept;
      }
      return changed ? { typing } : state;
    }),
  reset: () => set({ typing: {} }),
}));
