import { useEffect, useId, useRef, useState } from 'react';
import { FocusableButton } from './focusable-button';

interface ConfirmButtonProps {
  /** The button's text before asking, e.g. "Delete". */
  label: string;
  /** Its accessible name when the visible label alone is ambiguous in a list. */
  ariaLabel?: string;
  /** The question, e.g. "Delete carol? This cannot be undone." */
  question: string;
  /** The confirming button's text, e.g. "Delete carol". */
  confirmLabel: string;
  onConfirm(): void;
  /** Why it is never available here (one's own account, say): disabled, and says why. */
  disabledReason?: string;
  /** Its request is running: the button stays, focusable but inactive, until it settles. */
  busy?: boolean;
}

/**
 * A destructive action asks first, in place: no modal to trap focus in, and the question
 * sits next to the row it concerns. Focus goes to Cancel (the safe choice) and Escape
 * cancels, returning focus to the button; so does confirming, the button then busy until
 * the request settles.
 */
export function ConfirmButton({
  label,
  ariaLabel,
  question,
  confirmLabel,
  onConfirm,
  disabledReason,
  busy = false,
}: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const questionId = useId();

  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      triggerRef.current?.focus();
    }
  }, [asking]);

  const cancel = () => {
    returnFocus.current = true;
    setAsking(false);
  };

  if (!asking) {
    return (
      <FocusableButton
        ref={triggerRef}
        type="button"
        className="button button--small button--danger-quiet"
        aria-label={ariaLabel}
        disabled={disabledReason !== undefined}
        title={disabledReason}
        unavailable={busy}
        onClick={() => setAsking(true)}
      >
        {busy ? 'Working…' : label}
      </FocusableButton>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-labelledby={questionId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') cancel();
      }}
    >
      <span id={questionId} className="confirm__question">
        {question}
      </span>
      <button
        type="button"
        className="button button--small button--danger"
        onClick={() => {
          returnFocus.current = true;
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button ref={cancelRef} type="button" className="button button--small" onClick={cancel}>
        Cancel
      </button>
    </span>
  );
}
