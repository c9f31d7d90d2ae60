import { memo } from 'react';
import { partsMentioning, type TextPart } from '../../../../shared/mentions';
import { ShownPieces } from '../../../components/shown-text';
import { displayPieces, shownOf, splitPieces, type ShownPiece } from '../../../lib/display-text';
import type { DeliveryRefusal } from '../../../lib/mqtt/publish-refusal';
import {
  discardLabel as defaultDiscardLabel,
  retryLabel as defaultRetryLabel,
} from '../lib/discard-wording';
import type { TimelineMessage } from '../lib/merge-messages';
import { notDeliveredReason } from '../lib/not-delivered-reason';
import type { DeliveryStatus } from '../stores/chat-store';
import { DiscardButton } from './discard-button';
import { RetryButton } from './retry-button';

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
  reader,
  discardLabel,
  retryLabel,
  onDiscard,
  onRetry,
}: {
  message: TimelineMessage;
  mine: boolean;
  /** Who reads it: their mentions (`@bob` for bob) are marked. */
  reader?: string;
  /**
   * The name of its Discard button, told apart from the room's others (discardLabels);
   * by default, as if it were the only one.
   */
  discardLabel?: string;
  /** The name of its Retry button, told apart as discardLabel is. */
  retryLabel?: string;
  /** Forgets a message of ours that was not delivered (kept until then, across reloads). */
  onDiscard?(message: TimelineMessage): void;
  /** Sends the text of a message of ours that was not delivered again, and forgets it. */
  onRetry?(message: TimelineMessage): void;
}) {
  const time = formatMessageTime(message.sentAt);
  const refused = mine && message.status === 'refused';
  const discardable = refused && onDiscard;
  const retriable = refused && onRetry;
  // Shown as notifications are (lib/display-text.ts): "\u202E@bob" would read "bob@", and
  // "@b\u200Bob" look like a mention it is not. Copied as written (ShownPieces).
  const pieces = displayPieces(message.text);
  const parts = reader === undefined || mine ? null : partsMentioning(shownOf(pieces), reader);
  return (
    <article
      className={
        mine ? 'message message--mine' : parts ? 'message message--mentions-you' : 'message'
      }
      aria-label={`${message.from} at ${time}${parts ? ', mentions you' : ''}`}
    >
      <header className="message__meta">
        <span className="message__from">{message.from}</span>
        <time className="message__time" dateTime={new Date(message.sentAt).toISOString()}>
          {time}
        </time>
        {mine && <Delivery status={message.status} refusal={message.refusal} />}
        {retriable && (
          <RetryButton
            label={retryLabel ?? defaultRetryLabel({ text: message.text, time })}
            onRetry={() => onRetry(message)}
          />
        )}
        {discardable && (
          <DiscardButton
            label={discardLabel ?? defaultDiscardLabel({ text: message.text, time })}
            onDiscard={() => onDiscard(message)}
          />
        )}
      </header>
      {/* In its own direction, from its first letter: Arabic or Hebrew from the right. */}
      <p className="message__text" dir="auto">
        {parts ? <MentionsMarked pieces={pieces} parts={parts} /> : <ShownPieces pieces={pieces} />}
      </p>
      {/* Said already in the status, to screen readers too: shown here for the eye alone. */}
      {refused && (
        <p className="message__reason" aria-hidden="true">
          {notDeliveredReason(message.refusal)}
        </p>
      )}
    </article>
  );
});

/** The text, the reader's mentions in it marked. */
function MentionsMarked({ pieces, parts }: { pieces: ShownPiece[]; parts: TextPart[] }) {
  const cut = splitPieces(
    pieces,
    parts.map((part) => part.text.length),
  );
  return cut.map((piecesOfPart, i) =>
    parts[i]?.mentionsReader ? (
      <mark key={i}>
        <ShownPieces pieces={piecesOfPart} />
      </mark>
    ) : (
      <ShownPieces key={i} pieces={piecesOfPart} />
    ),
  );
}

const DELIVERY_LABELS: Record<DeliveryStatus, string> = {
  pending: 'pending',
  acked: 'sent',
  sent: 'sent',
  refused: 'not delivered',
};

// The reason is hidden text for screen readers and a tooltip here; the message shows it
// below its text.
function Delivery({ status, refusal }: { status: DeliveryStatus; refusal?: DeliveryRefusal }) {
  const reason = status === 'refused' ? notDeliveredReason(refusal) : undefined;
  return (
    <span className={`message__delivery message__delivery--${status}`} title={reason}>
      {DELIVERY_LABELS[status]}
      {reason && <span className="visually-hidden">. {reason}</span>}
    </span>
  );
}
