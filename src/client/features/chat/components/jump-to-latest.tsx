import { useState, type Ref } from 'react';
import type { ReadonlyList } from '../../../lib/append-only-list';
import { countAfter } from '../lib/count-after';
import type { TimelineMessage } from '../lib/merge-messages';

const MOST_COUNTED = 99; // then "99+", as the rooms' unread badges

interface JumpToLatestProps {
  /** The reader has scrolled up from the newest message. */
  away: boolean;
  /** The room's timeline, in order: what sorts after its newest when the reader left is new. */
  messages: ReadonlyList<TimelineMessage>;
  onJump(): void;
  ref?: Ref<HTMLButtonElement>;
}

/**
 * Over the bottom of the list while the reader is scrolled up: how many messages arrived
 * below since, and a way back to them. Spoken by its name only, not as a live region: the
 * room's announcer already reads out each message from others.
 */
export function JumpToLatest({ away, messages, onJump, ref }: JumpToLatestProps) {
  // The newest message when the reader left the bottom: those that sort after it are new,
  // counted by a binary search each render (countAfter), never by looking through the
  // list nor from changes of its length. One update can add new messages below and drop
  // as many from the top (history refetched on reconnect), or bring an older page in with
  // them; a sender's clock behind puts one that arrived last before the newest. Kept while
  // rendering (React's "storing information from previous renders"), not in an effect,
  // whose update would render the list again; and nothing is done while the list
  // follows its newest, every frame of a busy room.
  const [left, setLeft] = useState<{ newest: TimelineMessage | undefined } | null>(null);
  if (!away) {
    if (left) setLeft(null);
    return null;
  }
  if (!left) {
    setLeft({ newest: messages.at(-1) });
    return null;
  }

  const arrived = countAfter(messages, left.newest);
  const count = arrived > MOST_COUNTED ? `${MOST_COUNTED}+` : String(arrived);
  const named = `${count} new ${arrived === 1 ? 'message' : 'messages'}`;
  return (
    <button
      ref={ref}
      type="button"
      className="button message-list__jump"
      // Named as it reads, and what it does: "3 new messages, jump to latest".
      aria-label={arrived > 0 ? `${named}, jump to latest` : undefined}
      onClick={onJump}
    >
      {arrived > 0 ? named : 'Jump to latest'}
      <span aria-hidden="true"> ↓</span>
    </button>
  );
}
