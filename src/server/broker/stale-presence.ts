import type { Aedes } from 'aedes';
import { decodePayload } from '../../shared/schemas';
import { presenceTopic } from '../../shared/topics';
import { mountClientId, mountTopic, unmountTopic } from './mount-point';
import type { BrokerPersistence } from './persistence';
import { clearRetained } from './retained-messages';

// At most this many presences go per sweep: each clear reaches every member of the org.
export const MAX_STALE_PRESENCE_PER_SWEEP = 500;

export interface StalePresence {
  org: string;
  user: string;
  clientId: string;
}

/**
 * Clears the retained presences, in `orgs`, unchanged since `before` (ms since the epoch)
 * whose client id neither is connected (or connecting) nor has a stored session.
 *
 * Each client id a user connects with keeps `presence/<user>/<client>` retained for good,
 * and every member's page receives every one of them at each connect. Session expiry
 * (session-expiry.ts) clears the presence of the app's persistent sessions it drops, but a
 * clean session leaves nothing to expire: a script or device that connects with a new id
 * each run left one more retained presence each time. One whose client has been gone
 * longer than a session is kept has nothing left to say. Presences of stored sessions
 * stay: a device's session may be kept for good, and the app's expire with their session.
 */
export async function clearStalePresence(
  aedes: Aedes,
  persistence: BrokerPersistence,
  orgs: readonly string[],
  inUse: () => ReadonlySet<string>,
  before: number,
): Promise<StalePresence[]> {
  const stored = await persistence.storedClientIds();
  const connected = inUse();
  const stale: StalePresence[] = [];
  for (const org of orgs) {
    for (const packet of persistence.retained.match(mountTopic(org, presenceTopic('+', '+')))) {
      if (stale.length === MAX_STALE_PRESENCE_PER_SWEEP) break; // the next sweep goes on
      const topic = unmountTopic(org, packet.topic);
      const decoded = topic === null ? null : decodePayload(topic, packet.payload);
      // The broker let only valid presences be retained (check-publish.ts).
      if (!decoded?.ok || decoded.message.kind !== 'presence') continue;
      const { user, clientId, value } = decoded.message;
      const mountedId = mountClientId(org, user, clientId);
      if (value.since >= before || stored.has(mountedId) || connected.has(mountedId)) continue;
      stale.push({ org, user, clientId });
    }
  }
  const cleared: StalePresence[] = [];
  for (const presence of stale) {
    // Asked right before the clear, with no wait between them: a client connecting after
    // this has not said online yet, and what it says comes after the clear.
    const { org, user, clientId } = presence;
    if (inUse().has(mountClientId(org, user, clientId))) continue;
    await clearRetained(aedes, org, presenceTopic(user, clientId));
    cleared.push(presence);
  }
  return cleared;
}
