import type { RetainedMessage } from '../../api/get-retained';
import { formatBytes } from '../../lib/format';
import { ConfirmButton } from '../confirm-button';

/**
 * One retained message. The payload is text in a <pre>, never markup: whatever a client
 * retained is shown exactly as bytes decoded to UTF-8.
 */
export function RetainedMessageView({
  message,
  clearing,
  onClear,
}: {
  message: RetainedMessage;
  clearing: boolean;
  onClear(): void;
}) {
  return (
    <section className="retained-message" aria-labelledby="retained-message-title">
      <h4 id="retained-message-title" className="retained-message__title">
        <code>{message.topic}</code>
      </h4>
      <p className="muted">
        {formatBytes(message.size)} · QoS {message.qos}
        {message.previewTruncated && ' · only its beginning is shown'}
      </p>
      <pre className="retained-message__payload" aria-label="Payload">
        {message.preview === '' ? '(empty payload)' : message.preview}
      </pre>
      <ConfirmButton
        label="Clear"
        ariaLabel={`Clear the retained message on ${message.topic}`}
        question={`Clear the retained message on ${message.topic}? Subscribers see it cleared too.`}
        confirmLabel="Clear it"
        busy={clearing}
        onConfirm={onClear}
      />
    </section>
  );
}
