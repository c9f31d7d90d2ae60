import { memo } from 'react';
import type { TimelineMessage } from '../lib/merge-messages';

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
}: {
  message: TimelineMessage;
  mine: boolean;
}) {
  const time = formatMessageTime(message.sentAt);
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
        {mine && (
          <span className={`message__delivery message__delivery--${message.status}`}>
            {message.status === 'pending' ? 'pending' : 'sent'}
          </span>
        )}
      </header>
      <p className="message__text">{message.text}</p>
    </article>
  );
});
