import type { Aedes } from 'aedes';
import { isValidId } from '../../shared/ids';
import { presenceTopic } from '../../shared/topics';
import { mountTopic } from './mount-point';
import type { BrokerPersistence } from './persistence';
import { clearRetained } from './retained-messages';
import { parseMountedClientId } from './mount-point';

// At most this many sessions go per sweep: each clear of a retained presence reaches every
// member, and sessions that started counting together would otherwise all go at once.
export const MAX_EXPIRED_PER_SWEEP = 100;

export interface ExpiredSession {
  org: string;
  user: string;
  clientId: string;
}

export interface ExpiryHooks {
  /** The (mounted) ids connected or connecting now; asked again right before each drop. */
  inUse(): ReadonlySet<string>;
  /** The connected sessions of people (the app's and their own clients'), noted as seen at each sweep. */
  peoplesSessions: readonly string[];
  /** Runs `work` while a CONNECT of that (mounted) id waits. */
  hold(mountedId: string, work: () => Promise<void>): Promise<void>;
}

/**
 * Drops people's persistent sessions whose client has not been connected since `before`
 * (ms since the epoch): their subscriptions, queued messages and retained presence.
 *
 * MQTT 3.1.1 sessions never expire [MQTT-3.1.2-4], and the app subscribes to every room
 * at QoS 1: each abandoned browser session (a private window, cleared storage) queued
 * every chat message on disk for ever and kept its presence retained. Someone who comes
 * back loses nothing they would see: the app fetches the history and the inbox over HTTP
 * on every connect. Only people's sessions are noted (the app's, with a token, and since
 * 2026-12-06 a member's or admin's own MQTT client with their password), so only they
 * expire: an agent, service or device may rely on its session for good. A session stored
 * before last-seen times were kept is never noted until it connects again.
 *
 * Time the broker was down does not count as away: when the previous sweep is further
 * back than two `intervalMs`, every noted time moves forward by the gap and nothing
 * expires in that sweep.
 */
export async function expireSessions(
  aedes: Aedes,
  persistence: BrokerPersistence,
  hooks: ExpiryHooks,
  options: { before: number; intervalMs: number; now?: number },
): Promise<ExpiredSession[]> {
  const now = options.now ?? Date.now();
  await persistence.markSeen([...hooks.peoplesSessions], now);
  const previous = await persistence.lastSwept();
  await persistence.markSwept(now);
  const noted = await persistence.seenClientIds();
  const stored = await persistence.storedClientIds();
  const inUse = hooks.inUse();
  if (previous !== undefined && now - previous > 2 * options.intervalMs) {
    const gap = now - previous - options.intervalMs;
    for (const mountedId of noted) {
      const seen = await persistence.lastSeen(mountedId);
      if (seen !== undefined) await persistence.markSeen([mountedId], seen + gap);
    }
    return [];
  }
  const expired: ExpiredSession[] = [];
  for (const mountedId of noted) {
    if (inUse.has(mountedId)) continue;
    if (!stored.has(mountedId)) {
      await persistence.forgetSeen(mountedId); // gone another way (clean CONNECT, admin)
      continue;
    }
    if (expired.length === MAX_EXPIRED_PER_SWEEP) continue; // the next sweep goes on
    const seen = await persistence.lastSeen(mountedId);
    if (seen === undefined || seen >= options.before) continue;
    // No await between this check and the hold: a CONNECT either counts as in use here,
    // or waits until the session and its presence are gone (not to find half of one, nor
    // to have its own new presence cleared).
    if (hooks.inUse().has(mountedId)) continue;
    const session = await dropSession(aedes, persistence, hooks, mountedId);
    if (session) expired.push(session);
  }
  return expired;
}

/**
 * Drops a stored session not in use (asked with no await before this call): its
 * subscriptions, queue, half-received QoS 2 state, will and retained presence, while a
 * CONNECT of the same id waits. Returns whose it was, when the id says.
 */
export async function dropSession(
  aedes: Aedes,
  persistence: BrokerPersistence,
  hooks: Pick<ExpiryHooks, 'hold'>,
  mountedId: string,
): Promise<ExpiredSession | null> {
  const session = parseMountedClientId(mountedId);
  await hooks.hold(mountedId, async () => {
    await persistence.forgetSession(mountedId);
    if (session) await clearPresence(aedes, persistence, session);
  });
  return session;
}

/** The session's retained presence, if its client id could have had one. */
async function clearPresence(
  aedes: Aedes,
  persistence: BrokerPersistence,
  { org, user, clientId }: ExpiredSession,
): Promise<void> {
  if (!isValidId(clientId)) return; // no presence topic: the ACL allows none for it
  const topic = presenceTopic(user, clientId);
  if (persistence.retained.match(mountTopic(org, topic)).next().done) return;
  await clearRetained(aedes, org, topic);
}
