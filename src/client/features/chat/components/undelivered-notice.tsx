import { useId, useMemo, useRef } from 'react';
import { useAnnouncement } from '../../../hooks/use-announcement';
import { useRooms } from '../api/get-rooms';
import { useDiscardMessage } from '../hooks/use-discard-message';
import { discardedAnnouncement, discardLabels, type DiscardTarget } from '../lib/discard-wording';
import { notDeliveredReason } from '../lib/not-delivered-reason';
import { useChatStore, type LiveMessage } from '../stores/chat-store';
import { DiscardButton } from './discard-button';
import { formatMessageTime } from './message-item';

interface Undelivered {
  room: string;
  message: LiveMessage;
  /** Its Discard button's name, told apart from the others' (discardLabels). */
  label: string;
}

/**
 * Our messages not delivered to rooms we can no longer open (removed from one, say): the
 * rooms list leaves those rooms out, so this is the only place their text can still be
 * read, copied and discarded (a view naming such a room shows it as not found). Nothing
 * shows until the rooms list has loaded: before that, every room would look unreachable.
 */
export function UndeliveredNotice({
  onEmptied,
}: {
  /** The last one was discarded and the notice is gone: where should focus go? */
  onEmptied(): void;
}) {
  const rooms = useRooms();
  const refused = useChatStore((state) => state.refused);
  const [announcement, announce] = useAnnouncement();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = useId();

  const undelivered = useMemo((): Undelivered[] => {
    if (!rooms.data) return [];
    const listed = new Set(rooms.data.map((room) => room.id));
    const listing = Object.entries(refused)
      .filter(([room]) => !listed.has(room))
      .flatMap(([room, messages]) => messages.map((message) => ({ room, message })));
    // Named with their room, so that none is named as one in the open room's view below.
    const labels = discardLabels(listing.map(discardTarget));
    return listing.map((item, index) => ({ ...item, label: labels[index] as string }));
  }, [rooms.data, refused]);

  const discarded = (undone: Undelivered) => {
    announce(discardedAnnouncement(discardTarget(undone)));
    // The pressed button is gone with its message: focus stays near, not lost.
    if (undelivered.length > 1) headingRef.current?.focus();
    else onEmptied();
  };

  return (
    <>
      {undelivered.length > 0 && (
        <section className="undelivered notice" aria-labelledby={headingId}>
          <h2 id={headingId} className="undelivered__title" ref={headingRef} tabIndex={-1}>
            Not delivered
          </h2>
          <p className="undelivered__intro">
            These messages of yours were not delivered, and you can no longer open their rooms. Copy
            what you want to keep, then discard them.
          </p>
          <ul className="undelivered__list">
            {undelivered.map((item) => (
              <UndeliveredItem
                key={`${item.room}/${item.message.id}`}
                {...item}
                onDiscarded={discarded}
              />
            ))}
          </ul>
        </section>
      )}
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
    </>
  );
}

function discardTarget({ room, message }: Pick<Undelivered, 'room' | 'message'>): DiscardTarget {
  return { room, text: message.text, time: formatMessageTime(message.sentAt) };
}

function UndeliveredItem({
  room,
  message,
  label,
  onDiscarded,
}: Undelivered & { onDiscarded(undone: Undelivered): void }) {
  const discard = useDiscardMessage(room);
  const time = formatMessageTime(message.sentAt);
  return (
    <li className="undelivered__item">
      <p className="message__meta">
        <span className="message__from">#{room}</span>
        <time className="message__time" dateTime={new Date(message.sentAt).toISOString()}>
          {time}
        </time>
        <DiscardButton
          label={label}
          onDiscard={() => {
            discard(message.id);
            onDiscarded({ room, message, label });
          }}
        />
      </p>
      <p className="message__text" dir="auto">
        {message.text}
      </p>
      {/* The room view says why beside each status; this list has no status to say it in. */}
      <p className="undelivered__reason">{notDeliveredReason(message.refusal)}</p>
    </li>
  );
}
