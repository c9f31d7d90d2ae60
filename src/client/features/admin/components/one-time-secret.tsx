import { useEffect, useRef } from 'react';
import { useCopyToClipboard } from '../hooks/use-copy-to-clipboard';

/**
 * A password the server will never show again (it keeps only a hash): shown once, with a
 * copy button, until the admin dismisses it. It is not kept in any cache or store.
 */
export function OneTimeSecret({
  title,
  secret,
  onDismiss,
}: {
  title: string;
  secret: string;
  onDismiss(): void;
}) {
  const { copy, status } = useCopyToClipboard();
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Where focus was when the password came: the Reset password button of a user's row, or
  // Create user. Hiding the password puts it back there, not at the top of the section.
  const returnTo = useRef<Element | null>(null);

  // Announced and reachable at once: it is the one thing to act on now.
  useEffect(() => {
    returnTo.current = document.activeElement;
    headingRef.current?.focus();
  }, []);

  const dismiss = () => {
    const back = returnTo.current;
    // Before the panel, and the focused Done button with it, is gone.
    if (back instanceof HTMLElement && back.isConnected) back.focus();
    onDismiss();
  };

  return (
    <section className="secret" aria-labelledby="secret-title">
      <h4 id="secret-title" className="secret__title" ref={headingRef} tabIndex={-1}>
        {title}
      </h4>
      <p className="secret__hint">Copy it now: it is shown only this once.</p>
      <div className="secret__value">
        <code aria-label="Password">{secret}</code>
        <button type="button" className="button button--small" onClick={() => void copy(secret)}>
          Copy
        </button>
        <span role="status" className="secret__copied">
          {status === 'copied' && 'Copied'}
          {status === 'failed' && 'Copy failed: select the password and copy it by hand'}
        </span>
      </div>
      <button type="button" className="button button--small" onClick={dismiss}>
        Done, hide it
      </button>
    </section>
  );
}
