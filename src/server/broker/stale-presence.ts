import type { Aedes } from 'aedes';
import { decodeStoredPayload } from '../../shared/schemas';
import { parseTopic, presenceTopic } from '../../shared/topics';
import { mountClientId, mountTopic, unmountTopic } from './mount-point';
import type { BrokerPersistence } from './persistence';
import type { RetainedPacket } from './retained-index';
import { clearRetained } from './retained-messages';

// At most this many presences go per sweep: each clear reaches every member of the org.
export const MAX_STALE_PRESENCE_PER_SWEEP = 500;
// A `since` further ahead than any clock is off by cannot be trusted to age: a client's
// clock in microseconds, or one that wants its presence kept for ever.
export const MAX_SINCE_AHEAD_MS = 24 * 60 * 60 * 1_000;
// Presences are read in slices this long between turns: a broker with 100,000 of them
// would otherwise stop everything for about half a second.
const PRESENCES_PER_TURN = 1_000;

export interface StalePresence {
  org: string;
  user: string;
  clientId: string;
}

interface Candidate extends StalePresence {
  mountedId: string;
  packet: RetainedPacket;
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
 * Age is the presence's own `since`, as its publisher stamped it; one stamped more than
 * MAX_SINCE_AHEAD_MS ahead counts as old.
 */
export async function clearStalePresence(
  aedes: Aedes,
  persistence: BrokerPersistence,
  orgs: readonly string[],
  inUse: () => ReadonlySet<string>,
  before: number,
  now = Date.now(),
): Promise<StalePresence[]> {
  const stored = await persistence.storedClientIds();
  const connected = inUse();
  const candidates: Candidate[] = [];
  for (const org of orgs) {
    for (const packet of persistence.retained.match(mountTopic(org, presenceTopic('+', '+')))) {
      const topic = unmountTopic(org, packet.topic);
      const parsed = topic === null ? null : parseTopic(topic);
      if (parsed?.kind !== 'presence') continue; // the ACL lets only valid ids have one
      const mountedId = mountClientId(org, parsed.user, parsed.clientId);
      // Cheap checks first: the payload is read only for those that pass them.
      if (stored.has(mountedId) || connected.has(mountedId)) continue;
      candidates.push({ org, user: parsed.user, clientId: parsed.clientId, mountedId, packet });
    }
  }
  const stale: Candidate[] = [];
  for (let i = 0; i < candidates.length && stale.length < MAX_STALE_PRESENCE_PER_SWEEP; i++) {
    if (i > 0 && i % PRESENCES_PER_TURN === 0) await nextTurn();
    const candidate = candidates[i]!;
    // Stored: one retained before unknown fields were refused still ages, and goes.
    const decoded = decodeStoredPayload(
      presenceTopic(candidate.user, candidate.clientId),
      candidate.packet.payload,
    );
    if (!decoded.ok || decoded.message.kind !== 'presence') continue;
    const { since } = decoded.message.value;
    if (since < before || since > now + MAX_SINCE_AHEAD_MS) stale.push(candidate);
  }
  const cleared: StalePresence[] = [];
  for (const { org, user, clientId, mountedId, packet } of stale) {
    // Asked right before the clear, with no wait between them: a client connecting after
    // this has not said anything yet, and what it says comes after the clear. One that
    // connected, spoke and left since the list was read has replaced the packet.
    if (inUse().has(mountedId) || !stillRetained(persistence, packet)) continue;
    await clearRetained(aedes, org, presenceTopic(user, clientId));
    cleared.push({ org, user, clientId });
  }
  return cleared;
}

/** Whether `packet` is still the one retained at its topic. */
function stillRetained(persistence: BrokerPersistence, packet: RetainedPacket): boolean {
  return persistence.retained.match(packet.topic).next().value === packet;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
