import { create } from 'zustand';
import type { BoardQuery } from '../lib/board-view';

const DEFAULT_BOARD_QUERY: BoardQuery = { text: '', status: 'all', sort: 'name' };

// The board unmounts while an agent is open: its filter, status and sort live here, so
// "← All agents" and Back return to the board as it was left. Not in the address: the hash
// names views (view-hash.ts), and a filter typed key by key would be a history write per
// key (Safari refuses past 100 in 30 s) and would travel in every link shared.
interface BoardQueryStore {
  query: BoardQuery;
  setQuery(query: BoardQuery): void;
  reset(): void;
}

export const useBoardQueryStore = create<BoardQueryStore>()((set) => ({
  query: DEFAULT_BOARD_QUERY,
  setQuery: (query) => set({ query }),
  reset: () => set({ query: DEFAULT_BOARD_QUERY }),
}));
