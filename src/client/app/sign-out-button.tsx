import { useEffect, useId, useRef, useState } from 'react';

interface SignOutButtonProps {
  signingOut: boolean;
  /** Messages and commands written here that the broker has not acknowledged yet. */
  countUnsent(): number;
  onSignOut(): void;
}

/**
 * Signs out, after asking first when something written here is still unsent: signing out
 * clears the outbox (the next person in this tab must not send it), so it would be lost.
 */
export function SignOutButton({ signingOut, countUnsent, onSignOut }: SignOutButtonProps) {
  const [unsent, setUnsent] = useState(0);
  const stayRef = useRef<HTMLButtonElement>(null);
  const warningId = useId();

  useEffect(() => {
    if (unsent > 0) stayRef.current?.focus();
  }, [unsent]);

  if (unsent > 0) {
    // The outbox holds chat messages and agent commands alike.
    const what = unsent === 1 ? '1 message or command is' : `${unsent} messages or commands are`;
    return (
      <div className="sign-out-confirm" role="alertdialog" aria-labelledby={warningId}>
        <span id={warningId}>{what} not sent yet and will be lost.</span>
        <button ref={stayRef} className="button button--quiet" onClick={() => setUnsent(0)}>
          Stay
        </button>
        <button
          className="button button--danger"
          onClick={() => {
            setUnsent(0);
            onSignOut();
          }}
        >
          Sign out anyway
        </button>
      </div>
    );
  }
  return (
    <button
      className="button button--quiet"
      onClick={() => {
        const count = countUnsent();
        if (count > 0) setUnsent(count);
        else onSignOut();
      }}
      disabled={signingOut}
    >
      {signingOut ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
