import type { ClientIdentity } from '../../broker/client-identity';
import type { UserRecord } from '../../storage';
import type { HttpDeps } from '../http-deps';
import { effectiveRules } from '../../auth/effective-rules';

// Admin changes reach connections that are already open, not only the next ones.

/** Gives the user's live connections their current rules; see broker/live-acl.ts. */
export async function applyCurrentRules(
  deps: HttpDeps,
  record: UserRecord,
): Promise<{ connections: number; removedSubscriptions: string[] }> {
  if (!deps.broker) return { connections: 0, removedSubscriptions: [] };
  const { connections, removed } = await deps.broker.admin.applyRules(
    record.org,
    record.user,
    effectiveRules(deps.storage.users, record),
  );
  return { connections, removedSubscriptions: removed };
}

/** Closes the user's connections (those matching `also` when given); returns how many. */
export function disconnectUser(
  deps: HttpDeps,
  org: string,
  user: string,
  also: (identity: ClientIdentity) => boolean = () => true,
): number {
  return (
    deps.broker?.disconnect(
      (identity) => identity.org === org && identity.user === user && also(identity),
    ) ?? 0
  );
}
