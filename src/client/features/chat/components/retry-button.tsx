/**
 * Sends a message of ours that was not delivered again. Shown as "Retry"; its accessible
 * name (discardLabels) says which message, since several may be listed.
 */
export function RetryButton({ label, onRetry }: { label: string; onRetry(): void }) {
  return (
    <button type="button" className="link-button" aria-label={label} onClick={onRetry}>
      Retry
    </button>
  );
}
