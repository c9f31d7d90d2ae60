import { useEffect } from 'react';
import type { Outbox } from '../lib/mqtt/outbox';

/**
 * Asks before the page is left while messages or commands written here are still unsent:
 * the outbox keeps them in sessionStorage, which survives a reload of this tab but not its
 * closing, so closing it would lose them without a word. The browser words the question
 * (pages may no longer); it asks at a reload too, which it cannot tell apart.
 */
export function useWarnBeforeUnloadWithUnsent(outbox: Outbox): void {
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (outbox.list().length > 0) event.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [outbox]);
}
