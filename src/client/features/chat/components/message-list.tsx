import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useRef, useState, type PointerEvent } from 'react';
import { useAnnouncement } from '../../../hooks/use-announcement';
import { useHomeAndEnd } from '../hooks/use-home-and-end';
import {
  followNewest,
  tailStart,
  useFollowNewest,
  useStickToBottom,
} from '../hooks/use-stick-to-bottom';
import type { ReadonlyList } from '../../../lib/append-only-list';
import { rowKey, type TimelineMessage } from '../lib/merge-messages';
import type { UndeliveredLabels } from '../hooks/use-discard-labels';
import { discardedAnnouncement, retriedAnnouncement } from '../lib/discard-wording';
import { createRowSizes } from '../lib/row-sizes';
import { JumpToLatest } from './jump-to-latest';
import { formatMessageTime, MessageItem } from './message-item';

const ESTIMATED_MESSAGE_PX = 64;
const OVERSCAN_ITEMS = 8;
const LOAD_OLDER_WITHIN_PX = 200; // start fetching before the reader hits the top
const STICK_TO_BOTTOM_WITHIN_PX = 80; // "at the bottom" despite sub-pixel scroll offsets

interface MessageListProps {
  roomName: string;
  messages: ReadonlyList<TimelineMessage>;
  me: string;
  hasOlder: boolean;
  isLoadingOlder: boolean;
  onLoadOlder(): void;
  /** Forgets a message of ours that was not delivered. */
  onDiscard?(id: string): void;
  /** Sends the text of a message of ours that was not delivered again, and forgets it. */
  onRetry?(message: TimelineMessage): void;
  /** The names of the Discard and Retry buttons, by message id (useDiscardLabels). */
  discardLabels?: ReadonlyMap<string, UndeliveredLabels>;
  /**
   * How many messages the person has sent from this room's composer: each one takes the
   * list to its newest message, and it follows again, wherever the reader had scrolled.
   */
  sends?: number;
}

export function MessageList({
  roomName,
  messages,
  me,
  hasOlder,
  isLoadingOlder,
  onLoadOlder,
  onDiscard,
  onRetry,
  discardLabels,
  sends = 0,
}: MessageListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useStickToBottom(scrollRef, STICK_TO_BOTTOM_WITHIN_PX);
  // While following, the virtualizer holds only the newest messages (tailStart): it lays
  // out all its rows whenever they change, every frame of a busy room.
  const [following, setFollowing] = useState(true);
  // Scrolled up from the newest message: the list shows a way back (JumpToLatest). Not
  // `following`, which a press on the scrollbar turns off before the reader has moved.
  const [away, setAway] = useState(false);
  const first = tailStart(messages.length, following);
  const count = messages.length - first;
  // A new key function only when the rows change: the virtualizer lays out every row
  // again whenever its identity does.
  const getItemKey = useCallback(
    (index: number) => {
      const message = messages.at(first + index);
      return message ? rowKey(message) : index;
    },
    [messages, first],
  );
  const [rowSizes] = useState(() => createRowSizes(ESTIMATED_MESSAGE_PX));
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => rowSizes.estimate(getItemKey(index)),
    measureElement: rowSizes.measure,
    overscan: OVERSCAN_ITEMS,
    getItemKey,
    rangeExtractor: stick.rangeExtractor,
    // Keep the reader's place: hold still when older pages are prepended above (or the
    // rows before the tail, once the reader scrolls up), and follow new messages only when
    // already at the bottom.
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: STICK_TO_BOTTOM_WITHIN_PX,
  });

  const newest = messages.at(-1);
  const newestKey = newest && rowKey(newest);
  useFollowNewest(stick, virtualizer, count, newestKey);

  const jumpToLatest = () => {
    followNewest(stick, virtualizer, count);
    setAway(false);
  };
  // After the render that shows the message sent (the store adds it as the composer clears).
  useLayoutEffect(() => {
    if (sends > 0) jumpToLatest();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when one is sent
  }, [sends]);

  const jumpRef = useRef<HTMLButtonElement>(null);
  const onScroll = () => {
    stick.onScroll();
    if (stick.atBottom !== following) setFollowing(stick.atBottom);
    if (stick.atBottom === away) {
      // Back at the bottom, the Jump button goes: keyboard focus on it (tabbed to, then
      // the wheel) stays in the list, not lost to the page.
      if (away && jumpRef.current === document.activeElement) {
        scrollRef.current?.focus({ preventScroll: true });
      }
      setAway(!stick.atBottom);
    }
    const element = scrollRef.current;
    if (first === 0 && element && element.scrollTop < LOAD_OLDER_WITHIN_PX) onLoadOlder();
  };

  const onKeyDown = useHomeAndEnd({
    virtualizer,
    stick,
    count,
    first,
    leaveTail: () => setFollowing(false),
  });

  // While following, the scrollbar spans only the tail: pressing it lays out the whole
  // timeline first, so that dragging the thumb goes through all of it (else it reached
  // the tail's top, the list laid out the rest there and the thumb jumped away). A press
  // on the scroller itself and not on a row is one on its scrollbar, wherever that is
  // drawn (left in right-to-left text, over the rows when scrollbars are overlays).
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (first > 0 && event.target === event.currentTarget) setFollowing(false);
  };

  // The pressed button goes with its message: keep keyboard focus in the list, not lost,
  // and say what went (the row that said so is gone).
  const [discarded, announce] = useAnnouncement();
  const discard = useCallback(
    (message: TimelineMessage) => {
      onDiscard?.(message.id);
      announce(
        discardedAnnouncement({ text: message.text, time: formatMessageTime(message.sentAt) }),
      );
      scrollRef.current?.focus({ preventScroll: true });
    },
    [onDiscard, announce],
  );
  // Its row goes too, and a pending copy comes at the end (RoomView follows it there).
  const retry = useCallback(
    (message: TimelineMessage) => {
      onRetry?.(message);
      announce(
        retriedAnnouncement({ text: message.text, time: formatMessageTime(message.sentAt) }),
      );
      scrollRef.current?.focus({ preventScroll: true });
    },
    [onRetry, announce],
  );

  const items = virtualizer.getVirtualItems();
  return (
    <div className="message-list">
      <div className="message-list__older">
        {hasOlder ? (
          <button className="link-button" onClick={onLoadOlder} disabled={isLoadingOlder}>
            {isLoadingOlder ? 'Loading older messages…' : 'Load older messages'}
          </button>
        ) : (
          <span className="muted">Beginning of #{roomName}</span>
        )}
      </div>
      <div
        className="message-list__scroller"
        ref={scrollRef}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        tabIndex={0}
        aria-label={`Messages in #${roomName}`}
        role="region"
      >
        <ol className="message-list__items" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const message = messages.at(first + item.index);
            if (!message) return null;
            return (
              <li
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="message-list__item"
                style={{ transform: `translateY(${item.start}px)` }}
                aria-setsize={messages.length}
                aria-posinset={first + item.index + 1}
              >
                <MessageItem
                  message={message}
                  mine={message.from === me}
                  reader={me}
                  discardLabel={discardLabels?.get(message.id)?.discard}
                  retryLabel={discardLabels?.get(message.id)?.retry}
                  onDiscard={onDiscard && discard}
                  onRetry={onRetry && retry}
                />
              </li>
            );
          })}
        </ol>
        {messages.length === 0 && (
          <p className="muted message-list__empty">No messages yet. Say hello!</p>
        )}
      </div>
      <JumpToLatest
        ref={jumpRef}
        away={away}
        messages={messages}
        onJump={() => {
          jumpToLatest();
          // The button goes once at the bottom: keyboard focus stays in the list, not lost.
          scrollRef.current?.focus({ preventScroll: true });
        }}
      />
      <p className="visually-hidden" role="status">
        {discarded}
      </p>
    </div>
  );
}
