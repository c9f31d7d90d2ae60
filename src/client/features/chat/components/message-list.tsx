import { measureElement, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, useState, type PointerEvent } from 'react';
import { useHomeAndEnd } from '../hooks/use-home-and-end';
import { tailStart, useFollowNewest, useStickToBottom } from '../hooks/use-stick-to-bottom';
import type { ReadonlyList } from '../../../lib/append-only-list';
import type { TimelineMessage } from '../lib/merge-messages';
import { MessageItem } from './message-item';

const ESTIMATED_MESSAGE_PX = 64;
const OVERSCAN_ITEMS = 8;
const LOAD_OLDER_WITHIN_PX = 200; // start fetching before the reader hits the top
const STICK_TO_BOTTOM_WITHIN_PX = 80; // "at the bottom" despite sub-pixel scroll offsets

type ListVirtualizer = Virtualizer<HTMLDivElement, Element>;

interface MessageListProps {
  roomName: string;
  messages: ReadonlyList<TimelineMessage>;
  me: string;
  hasOlder: boolean;
  isLoadingOlder: boolean;
  onLoadOlder(): void;
}

export function MessageList({
  roomName,
  messages,
  me,
  hasOlder,
  isLoadingOlder,
  onLoadOlder,
}: MessageListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useStickToBottom(scrollRef, STICK_TO_BOTTOM_WITHIN_PX);
  // While following, the virtualizer holds only the newest messages (tailStart): it lays
  // out all its rows whenever they change, every frame of a busy room.
  const [following, setFollowing] = useState(true);
  const first = tailStart(messages.length, following);
  const count = messages.length - first;
  // A new key function only when the rows change: the virtualizer lays out every row
  // again whenever its identity does.
  const getItemKey = useCallback(
    (index: number) => messages.at(first + index)?.id ?? index,
    [messages, first],
  );
  // A row not measured yet is estimated at the last measured row's height. Most messages
  // are one line, so the estimate is exact, and a measured row that matches it changes
  // nothing: an inexact one made the virtualizer lay out every row again (O(messages) per
  // row while reading back through a long room) and correct the scroll position. But the
  // virtualizer keeps no size for a row measured at exactly the size it has, so such a row
  // took whatever the estimate became later: one-line rows took a taller row's height
  // when one was measured after them, leaving gaps (test/e2e/chat.test.ts, "a busy room").
  // Those sizes go into its cache here; it moves nothing, as the row already has it.
  const lastMeasuredPx = useRef(ESTIMATED_MESSAGE_PX);
  const measure = useCallback(
    (element: Element, entry: ResizeObserverEntry | undefined, instance: ListVirtualizer) => {
      const size = measureElement(element, entry, instance);
      if (size <= 0) return size;
      lastMeasuredPx.current = size;
      const index = instance.indexFromElement(element);
      const key = instance.options.getItemKey(index);
      if (!instance.itemSizeCache.has(key) && instance.measurementsCache[index]?.size === size) {
        instance.itemSizeCache.set(key, size);
      }
      return size;
    },
    [],
  );
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => lastMeasuredPx.current,
    measureElement: measure,
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

  useFollowNewest(stick, virtualizer, count, messages.at(-1)?.id);

  const onScroll = () => {
    stick.onScroll();
    if (stick.atBottom !== following) setFollowing(stick.atBottom);
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
  // the tail's top, the list laid out the rest there and the thumb jumped away).
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    const element = event.currentTarget;
    const x = event.clientX - element.getBoundingClientRect().left - element.clientLeft;
    const onScrollbar = x >= element.clientWidth;
    if (first > 0 && event.target === element && onScrollbar) setFollowing(false);
  };

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
                <MessageItem message={message} mine={message.from === me} />
              </li>
            );
          })}
        </ol>
        {messages.length === 0 && (
          <p className="muted message-list__empty">No messages yet. Say hello!</p>
        )}
      </div>
    </div>
  );
}
