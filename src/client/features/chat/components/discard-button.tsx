/**
 * Forgets a message of ours that was not delivered. Shown as "Discard"; its accessible
 * name (discardLabels) says which message, since several may be listed.
 */
export function DiscardButton({ label, onDiscard }: { label: string; onDiscard(): void }) {
  return (
    <button type="button" className="link-button" aria-label={label} onClick={onDiscard}>
      Discard
    </button>
  );
}
