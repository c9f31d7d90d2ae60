import { create } from 'zustand';

// Why the sign-in page is showing when it was not the user's choice (token refused).
interface AuthNoticeStore {
  notice: string | null;
  setNotice(notice: string | null): void;
}

export const useAuthNoticeStore = create<AuthNoticeStore>()((set) => ({
  notice: null,
  setNotice: (notice) => set({ notice }),
}));
