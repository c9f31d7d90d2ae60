import { messageSnippet } from '../lib/message-snippet';

/**
 * Forgets a message of ours that was not delivered. Shown as "Discard"; its accessible
 * name says which message, since several may be listed (WCAG 2.5.3: it starts with the
 * visible label).
 */
export function DiscardButton({ text, onDiscard }: { text: string; onDiscard(): void }) {
  return (
    <button
      type="button"
      className="link-button"
      aria-label={`Discard undelivered message: ${messageSnippet(text)}`}
      onClick={onDiscard}
    >
      Discard
    </button>
  );
}
