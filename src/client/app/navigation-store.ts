import { create } from 'zustand';

// Navigation is a piece of state, not a URL: the app is one screen with a few views.
export type View =
  | { name: 'home' }
  | { name: 'room'; room: string }
  | { name: 'people' }
  | { name: 'agents' }
  | { name: 'agent'; agent: string }
  | { name: 'notifications' }
  | { name: 'admin' };

interface NavigationStore {
  view: View;
  navigate(view: View): void;
  reset(): void;
}

export const useNavigationStore = create<NavigationStore>()((set) => ({
  view: { name: 'home' },
  navigate: (view) => set({ view }),
  reset: () => set({ view: { name: 'home' } }),
}));
