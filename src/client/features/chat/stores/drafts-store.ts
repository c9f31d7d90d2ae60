import { create } from 'zustand';

// What is typed in each room's composer and not sent yet: switching rooms and back
// finds it there, as in any chat app. The in-memory half: a draft also survives a reload
// through this tab's sessionStorage (lib/draft-storage.ts, by way of use-room-draft.ts).

interface DraftsStore {
  drafts: Record<string, string>;
  setDraft(room: string, text: string): void;
  reset(): void;
}

export const useDraftsStore = create<DraftsStore>()((set) => ({
  drafts: {},
  setDraft: (room, text) =>
    set((state) => {
      const drafts = { ...state.drafts };
      if (text) drafts[room] = text;
      else delete drafts[room];
      return { drafts };
    }),
  reset: () => set({ drafts: {} }),
}));
