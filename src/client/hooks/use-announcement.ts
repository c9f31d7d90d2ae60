import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Text for a live region, and a way to say something in it. A screen reader speaks a
 * live region when its content changes: the same words twice in a row (two messages
 * discarded alike) would change nothing and say nothing the second time. So the region
 * is emptied first and the words put back a frame later, a change every time.
 */
export function useAnnouncement(): [announcement: string, announce: (text: string) => void] {
  const [announcement, setAnnouncement] = useState('');
  const frame = useRef<number | null>(null);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const announce = useCallback((text: string) => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    setAnnouncement('');
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      setAnnouncement(text);
    });
  }, []);

  return [announcement, announce];
}
