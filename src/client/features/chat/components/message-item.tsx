import { memo } from 'react';
import type { TimelineMessage } from '../lib/merge-messages';
import type { DeliveryStatus } from '../stores/chat-store';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function formatMessageTime(sentAt: number, now = Date.now()): string {
  const sameDay = new Date(sentAt).toDateString() === new Date(now).toDateString();
  return (sameDay ? timeFormat : dateTimeFormat).format(sentAt);
}

// Text goes through React as a string child: markup in a message is shown, not parsed.
// Memoized: the timeline re-renders its visible rows every frame while messages stream
// in, and a message object only changes when the message does (e.g. pending → sent).
export const MessageItem = memo(function MessageItem({
  message,
  mine,
  onDiscard,
}: {
  message: TimelineMessage;
  mine: boolean;
  /** Forgets a message of ours that was not delivered (kept until then, across reloads). */
  onDiscard?(id: string): void;
}) {
  const time = formatMessageTime(message.sentAt);
  const discardable = mine && message.status === 'refused' && onDiscard;
  return (
    <article
      className={mine ? 'message message--mine' : 'message'}
      aria-label={`${message.from} at ${time}`}
    >
      <header className="message__meta">
        <span className="message__from">{message.from}</span>
        <time className="message__time" dateTime={new Date(message.sentAt).toISOString()}>
          {time}
        </time>
        {mine && <Delivery status={message.status} />}
        {discardable && (
          <button type="button" className="link-button" onClick={() => onDiscard(message.id)}>
            Discard
          </button>
        )}
      </header>
      <p className="message__text">{message.text}</p>
    </article>
  );
});

const DELIVERY_LABELS: Record<DeliveryStatus, string> = {
  pending: 'pending',
  acked: 'sent',
  sent: 'sent',
  refused: 'not delivered',
};

const REFUSED_REASON =
  'The server acknowledged this message but did not deliver it: you may no longer be allowed to post here.';

// The reason is a tooltip for the pointer and hidden text for screen readers.
function Delivery({ status }: { status: DeliveryStatus }) {
  const refused = status === 'refused';
  return (
    <span
      className={`message__delivery message__delivery--${status}`}
      title={refused ? REFUSED_REASON : undefined}
    >
      {DELIVERY_LABELS[status]}
      {refused && <span className="visually-hidden">. {REFUSED_REASON}</span>}
    </span>
  );
}
