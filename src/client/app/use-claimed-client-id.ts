import { useEffect, useState } from 'react';
import {
  browserClientIdEnvironment,
  claimClientId,
  type ClientIdEnvironment,
} from '../lib/mqtt/client-id';

// Claims run one after another, so a remount (StrictMode, sign-out and in again) gives
// its id back before the next claim looks for a free one, and keeps the same id.
let previousClaim: Promise<unknown> = Promise.resolve();

/** This tab's MQTT client id for the user; null while it is being claimed. */
export function useClaimedClientId(user: string, environment?: ClientIdEnvironment): string | null {
  const [claimed, setClaimed] = useState<{ user: string; id: string } | null>(null);

  useEffect(() => {
    let cancelled = false;
    let release: (() => Promise<void>) | null = null;
    const claim = previousClaim
      .then(() => claimClientId(user, environment ?? browserClientIdEnvironment()))
      .then((result) => {
        if (cancelled) return result.release();
        release = result.release;
        setClaimed({ user, id: result.id });
        return undefined;
      });
    previousClaim = claim.catch(() => undefined);
    return () => {
      cancelled = true;
      if (release) previousClaim = previousClaim.then(release);
    };
  }, [user, environment]);

  return claimed?.user === user ? claimed.id : null;
}
