import { discardLabel } from '../lib/discard-wording';

/**
 * Forgets a message of ours that was not delivered. Shown as "Discard"; its accessible
 * name says which message, since several may be listed.
 */
export function DiscardButton({
  text,
  time,
  onDiscard,
}: {
  text: string;
  /** When it was sent, as shown beside it. */
  time: string;
  onDiscard(): void;
}) {
  return (
    <button
      type="button"
      className="link-button"
      aria-label={discardLabel(text, time)}
      onClick={onDiscard}
    >
      Discard
    </button>
  );
}
