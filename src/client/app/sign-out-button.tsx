import { useEffect, useId, useRef, useState } from 'react';

interface SignOutButtonProps {
  signingOut: boolean;
  /** Messages and commands written here that the broker has not acknowledged yet. */
  countUnsent(): number;
  /** Our messages kept as not delivered, until discarded. */
  countNotDelivered(): number;
  onSignOut(): void;
}

interface AtRisk {
  unsent: number;
  notDelivered: number;
}

/**
 * Signs out, after asking first when something written here would be lost: signing out
 * clears the outbox (the next person in this tab must not send it), and with it what is
 * still unsent and what is kept as not delivered until the person discards it.
 */
export function SignOutButton({
  signingOut,
  countUnsent,
  countNotDelivered,
  onSignOut,
}: SignOutButtonProps) {
  const [atRisk, setAtRisk] = useState<AtRisk | null>(null);
  const stayRef = useRef<HTMLButtonElement>(null);
  const signOutRef = useRef<HTMLButtonElement>(null);
  // Staying puts focus back where the question was asked; otherwise it would fall to the
  // page's start with the question gone, and a keyboard user would start over from there.
  const returnFocus = useRef(false);
  const warningId = useId();

  useEffect(() => {
    if (atRisk) stayRef.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      signOutRef.current?.focus();
    }
  }, [atRisk]);

  const stay = () => {
    returnFocus.current = true;
    setAtRisk(null);
  };

  if (atRisk) {
    return (
      <div
        className="sign-out-confirm"
        role="alertdialog"
        aria-labelledby={warningId}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          event.preventDefault(); // the question alone: an open menu stays open
          stay();
        }}
      >
        <span id={warningId}>{warning(atRisk)}</span>
        <button ref={stayRef} className="button button--quiet" onClick={stay}>
          Stay
        </button>
        <button
          className="button button--danger"
          onClick={() => {
            setAtRisk(null);
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
      ref={signOutRef}
      className="button button--quiet"
      onClick={() => {
        const found = { unsent: countUnsent(), notDelivered: countNotDelivered() };
        if (found.unsent > 0 || found.notDelivered > 0) setAtRisk(found);
        else onSignOut();
      }}
      disabled={signingOut}
    >
      {signingOut ? 'Signing out…' : 'Sign out'}
    </button>
  );
}

function warning({ unsent, notDelivered }: AtRisk): string {
  const said: string[] = [];
  if (unsent > 0) {
    // The outbox holds chat messages and agent commands alike.
    const what = unsent === 1 ? '1 message or command is' : `${unsent} messages or commands are`;
    said.push(`${what} not sent yet and will be lost.`);
  }
  if (notDelivered > 0) {
    // Only chat messages are kept as not delivered.
    const what = notDelivered === 1 ? '1 message was' : `${notDelivered} messages were`;
    said.push(`${what} not delivered and will be discarded.`);
  }
  return said.join(' ');
}
