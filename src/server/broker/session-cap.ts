import type { Aedes } from 'aedes';
import { parseMountedClientId } from './mount-point';
import type { BrokerPersistence } from './persistence';
import type { SeenSession } from './seen-index';
import { dropSession, type ExpiredSession, type ExpiryHooks } from './session-expiry';

/**
 * People's persistent sessions (the app's, and their own MQTT clients' with their password)
 * kept per user, connected ones included. The app
 * reuses up to five client ids per browser (src/client/lib/mqtt/client-id.ts) and takes a
 * new one for each tab open beyond them: 20 is a few browsers with several tabs each. Past
 * it, an abandoned session costs a write of every chat message of the org and keeps
 * queueing it on disk until SESSION_EXPIRY_DAYS.
 */
export const MAX_APP_SESSIONS_PER_USER = 20;

export interface CapHooks extends Pick<ExpiryHooks, 'inUse' | 'hold'> {
  /** Whether the (mounted) id's stored session is being dropped now (expiry, the cap). */
  dropping(mountedId: string): boolean;
}

/** What the cap decided: the sessions it drops, and when they are gone. */
export interface CapDecision {
  dropping: string[];
  /** Resolves once they are gone, with whose they were; rejects if a drop failed. */
  done: Promise<ExpiredSession[]>;
}

const NOTHING: CapDecision = { dropping: [], done: Promise.resolve([]) };

/**
 * Decides which of the user's app sessions beyond `max` go, least recently seen first, of
 * those not connected (nor connecting) now, and starts dropping them the way expiry drops
 * one (session-expiry.ts). Tokens name any client id their holder asks for, so without
 * this a member could leave any number of persistent sessions subscribed to every room,
 * each queueing every QoS 1 chat message for the whole expiry. `connecting` is a (mounted)
 * id whose CONNECT asked for this: it counts as one of them even before it is noted as
 * seen. Sessions of agents, services and devices are never noted, so never counted nor
 * dropped.
 *
 * Resolves at the decision, not once the drops are done: a CONNECT waits for the one, not
 * for the others' cleanup. Each drop holds its id from the decision on (`hooks.hold`, with
 * no await between the check that it is not in use and the hold), so a CONNECT of a
 * dropped id waits until its session is gone and then starts afresh; and a session being
 * dropped, not in use, is no longer counted, so a decision taken meanwhile does not count
 * it (nor drop one more for it).
 */
export async function capUserSessions(
  aedes: Aedes,
  persistence: BrokerPersistence,
  hooks: CapHooks,
  session: { org: string; user: string; connecting?: string },
  max = MAX_APP_SESSIONS_PER_USER,
): Promise<CapDecision> {
  const seen = persistence.seenSessionsOf(session.org, session.user);
  const { connecting } = session;
  const notedYet = seen.some(({ clientId }) => clientId === connecting);
  const newcomer = connecting !== undefined && !notedYet ? 1 : 0;
  // From memory: at most this many, so most CONNECTs read nothing from the disk.
  if (seen.length + newcomer <= max) return NOTHING;
  let inUse = hooks.inUse();
  let count = newcomer;
  const away: SeenSession[] = [];
  for (const noted of seen) {
    if (inUse.has(noted.clientId)) count += 1;
    else if (hooks.dropping(noted.clientId))
      continue; // going already
    else if (await persistence.hasStoredSession(noted.clientId)) away.push(noted);
    // Neither: gone another way (a clean CONNECT, an admin); the sweep forgets its time.
  }
  count += away.length;
  if (count <= max) return NOTHING;
  away.sort((a, b) => a.seenAt - b.seenAt);
  // No await from here on: connected, connecting or dropped meanwhile, as the hooks say now.
  inUse = hooks.inUse();
  const dropping: string[] = [];
  const drops: Promise<ExpiredSession | null>[] = [];
  for (const { clientId } of away) {
    if (count <= max) break;
    if (inUse.has(clientId)) continue; // counted as away, connecting now: counted still
    if (hooks.dropping(clientId)) {
      count -= 1; // another drop took it meanwhile
      continue;
    }
    dropping.push(clientId);
    drops.push(dropSession(aedes, persistence, hooks, clientId));
    count -= 1;
  }
  const done = Promise.all(drops).then((gone) =>
    gone.filter((session): session is ExpiredSession => session !== null),
  );
  return { dropping, done };
}

/**
 * The users with more than `max` stored app sessions, for the sweep: sessions left by
 * connections that never reported leaving (a crash) are capped there, if not at their
 * user's next CONNECT.
 */
export async function usersOverCap(
  persistence: BrokerPersistence,
  max = MAX_APP_SESSIONS_PER_USER,
): Promise<{ org: string; user: string }[]> {
  const stored = await persistence.storedClientIds();
  const counts = new Map<string, { org: string; user: string; count: number }>();
  for (const mountedId of await persistence.seenClientIds()) {
    if (!stored.has(mountedId)) continue;
    const session = parseMountedClientId(mountedId);
    if (!session) continue;
    const key = `${session.org}:${session.user}`;
    const entry = counts.get(key) ?? { org: session.org, user: session.user, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()]
    .filter((entry) => entry.count > max)
    .map(({ org, user }) => ({ org, user }));
}
