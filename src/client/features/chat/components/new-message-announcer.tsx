import { useEffect, useRef, useState } from 'react';
import { useChatStore } from '../stores/chat-store';

const MAX_ANNOUNCED_CHARS = 140; // a screen reader reading a long post aloud is a trap

/**
 * The virtualized list mounts and unmounts rows while scrolling, so it cannot be the
 * live region itself; this one speaks only messages that arrive live from others.
 */
export function NewMessageAnnouncer({ room, me }: { room: string; me: string }) {
  const live = useChatStore((state) => state.live[room]);
  const seen = useRef<Set<string> | null>(null);
  const [announcement, setAnnouncement] = useState('');

  useEffect(() => {
    const ids = Object.keys(live ?? {});
    if (seen.current === null) {
      seen.current = new Set(ids); // what was there on arrival is not news
      return;
    }
    const known = seen.current;
    const fresh = ids.filter((id) => !known.has(id)).map((id) => live?.[id]);
    for (const id of ids) known.add(id);
    const latest = fresh.filter((m) => m !== undefined && m.from !== me).at(-1);
    if (latest) {
      const text =
        latest.text.length > MAX_ANNOUNCED_CHARS
          ? `${latest.text.slice(0, MAX_ANNOUNCED_CHARS)}…`
          : latest.text;
      setAnnouncement(`${latest.from}: ${text}`);
    }
  }, [live, me]);

  return (
    <p className="visually-hidden" aria-live="polite">
      {announcement}
    </p>
  );
}
