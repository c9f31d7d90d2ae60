import type { Aedes } from 'aedes';
import { parseMountedClientId } from './mount-point';
import type { BrokerPersistence } from './persistence';
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

/**
 * Drops the user's app sessions beyond `max`, least recently seen first, of those not
 * connected (nor connecting) now: the way expiry drops one (session-expiry.ts). Tokens name
 * any client id their holder asks for, so without this a member could leave any number of
 * persistent sessions subscribed to every room, each queueing every QoS 1 chat message for
 * the whole expiry. `connecting` is a (mounted) id whose CONNECT asked for this: it counts
 * as one of them even before it is noted as seen. Sessions of agents, services and devices
 * are never noted, so never counted nor dropped.
 */
export async function capUserSessions(
  aedes: Aedes,
  persistence: BrokerPersistence,
  hooks: Pick<ExpiryHooks, 'inUse' | 'hold'>,
  session: { org: string; user: string; connecting?: string },
  max = MAX_APP_SESSIONS_PER_USER,
): Promise<ExpiredSession[]> {
  const seen = await persistence.seenSessionsOf(session.org, session.user);
  const inUse = hooks.inUse();
  const { connecting } = session;
  const notedYet = seen.some(({ clientId }) => clientId === connecting);
  let count = connecting !== undefined && !notedYet ? 1 : 0;
  const away: { clientId: string; seenAt: number }[] = [];
  for (const noted of seen) {
    if (inUse.has(noted.clientId)) count += 1;
    else if (await persistence.hasStoredSession(noted.clientId)) away.push(noted);
    // Neither: gone another way (a clean CONNECT, an admin); the sweep forgets its time.
  }
  count += away.length;
  if (count <= max) return [];
  away.sort((a, b) => a.seenAt - b.seenAt);
  const dropped: ExpiredSession[] = [];
  for (const { clientId } of away) {
    if (count <= max) break;
    // No await between this check and the hold (in dropSession): a CONNECT of this id
    // either counts as in use here, or waits until the session is gone.
    if (hooks.inUse().has(clientId)) continue;
    const gone = await dropSession(aedes, persistence, hooks, clientId);
    if (gone) dropped.push(gone);
    count -= 1;
  }
  return dropped;
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
