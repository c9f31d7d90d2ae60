import { useEffect } from 'react';
import { useTypingStore } from '../stores/typing-store';

/** Who is typing in the room now; re-renders when the next indicator expires. */
export function useTypingUsers(room: string): string[] {
  const roomTyping = useTypingStore((state) => state.typing[room]);
  const now = Date.now();
  const entries = Object.entries(roomTyping ?? {});
  const active = entries.filter(([, expiresAt]) => expiresAt > now).map(([user]) => user);
  const nextExpiry = entries.reduce(
    (soonest, [, expiresAt]) => Math.min(soonest, expiresAt),
    Infinity,
  );

  useEffect(() => {
    if (nextExpiry === Infinity) return;
    const timer = setTimeout(
      () => useTypingStore.getState().prune(Date.now()),
      Math.max(0, nextExpiry - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [nextExpiry]);

  return active.sort();
}
