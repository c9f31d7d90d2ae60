import { useEffect, useRef, useState } from 'react';
import { useChatStore } from '../stores/chat-store';

const MAX_ANNOUNCED_CHARS = 140; // a screen reader reading a long post aloud is a trap

/**
 * The virtualized list mounts and unmounts rows while scrolling, so it cannot be the
 * live region itself; this one speaks only messages that arrive live from others.
 */
export function NewMessageAnnouncer({ room, me }: { room: string; me: string }) {
  const latest = useChatStore((state) => state.latestFromOthers[room]);
  const onArrival = useRef(latest); // what was there on arrival is not news
  const [announcement, setAnnouncement] = useState('');

  useEffect(() => {
    if (latest && latest !== onArrival.current && latest.from !== me) {
      const text =
        latest.text.length > MAX_ANNOUNCED_CHARS
          ? `${latest.text.slice(0, MAX_ANNOUNCED_CHARS)}…`
          : latest.text;
      setAnnouncement(`${latest.from}: ${text}`);
    }
  }, [latest, me]);

  return (
    <p className="visually-hidden" aria-live="polite">
      {announcement}
    </p>
  );
}
