import { useState } from 'react';

const MOST_COUNTED = 99; // then "99+", as the rooms' unread badges

interface Seen {
  length: number;
  newest: string | undefined;
  /** Messages added at the end since the reader left it. */
  arrived: number;
}

interface JumpToLatestProps {
  /** The reader has scrolled up from the newest message. */
  away: boolean;
  /** The timeline's length and its newest row's key: arrivals are counted from their changes. */
  length: number;
  newest: string | undefined;
  onJump(): void;
}

/**
 * Over the bottom of the list while the reader is scrolled up: how many messages arrived
 * below since, and a way back to them. Spoken by its name only, not as a live region: the
 * room's announcer already reads out each message from others.
 */
export function JumpToLatest({ away, length, newest, onJump }: JumpToLatestProps) {
  // Counted as they arrive, by how much the timeline grew when its newest changed, never by
  // looking through it: an older page prepended changes the length alone. Adjusted while
  // rendering (React's "storing information from previous renders"), not in an effect,
  // whose update would render the list again; and only while away, not every frame of a
  // busy room followed at the bottom.
  const [seen, setSeen] = useState<Seen | null>(null);
  if (!away) {
    if (seen) setSeen(null);
  } else if (!seen) {
    setSeen({ length, newest, arrived: 0 });
  } else if (seen.length !== length || seen.newest !== newest) {
    const grew = newest !== seen.newest ? Math.max(0, length - seen.length) : 0;
    setSeen({ length, newest, arrived: seen.arrived + grew });
  }
  if (!away || !seen) return null;

  const count = seen.arrived > MOST_COUNTED ? `${MOST_COUNTED}+` : String(seen.arrived);
  const arrived = `${count} new ${seen.arrived === 1 ? 'message' : 'messages'}`;
  return (
    <button
      type="button"
      className="button message-list__jump"
      // Named as it reads, and what it does: "3 new messages, jump to latest".
      aria-label={seen.arrived > 0 ? `${arrived}, jump to latest` : undefined}
      onClick={onJump}
    >
      {seen.arrived > 0 ? arrived : 'Jump to latest'}
      <span aria-hidden="true"> ↓</span>
    </button>
  );
}
