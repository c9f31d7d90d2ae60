import type { Aedes } from 'aedes';
import { presenceTopic } from '../../shared/topics';
import { mountTopic } from './mount-point';
import type { BrokerPersistence } from './persistence';
import { clearRetained } from './retained-messages';
import { parseMountedClientId } from './session-views';

export interface ExpiredSession {
  org: string;
  user: string;
  clientId: string;
}

/**
 * Drops the persistent sessions whose client has not been connected since `before` (ms
 * since the epoch): their subscriptions, queued messages and retained presence.
 *
 * MQTT 3.1.1 sessions never expire, and the app's subscribe to every room at QoS 1: each
 * abandoned browser session (a private window, cleared storage, a device given away)
 * queued every chat message on disk for ever, and its presence stayed retained, shown
 * offline to everyone. Someone who comes back after that loses nothing they would see:
 * the app fetches the history and the inbox over HTTP on every connect.
 *
 * `connected()`: the (mounted) ids connected now, asked again just before a session goes
 * (it may have come back meanwhile); `persistent`: the connected ones with a persistent
 * session, noted as seen now, so that a crash loses at most the time since the last
 * sweep. A session stored before last-seen times were kept counts from its first sweep.
 */
export async function expireSessions(
  aedes: Aedes,
  persistence: BrokerPersistence,
  clients: { connected(): ReadonlySet<string>; persistent: readonly string[] },
  before: number,
  now = Date.now(),
): Promise<ExpiredSession[]> {
  await persistence.markSeen([...clients.persistent], now);
  const stored = await persistence.storedClientIds();
  const connected = clients.connected();
  const expired: ExpiredSession[] = [];
  for (const mountedId of stored) {
    if (connected.has(mountedId)) continue;
    const seen = await persistence.lastSeen(mountedId);
    if (seen === undefined) {
      await persistence.markSeen([mountedId], now);
      continue;
    }
    if (seen >= before || clients.connected().has(mountedId)) continue;
    await persistence.forgetSession(mountedId);
    const session = parseMountedClientId(mountedId);
    if (!session) continue;
    expired.push(session);
    const presence = presenceTopic(session.user, session.clientId);
    const retained = persistence.retained.match(mountTopic(session.org, presence));
    if (!retained.next().done) await clearRetained(aedes, session.org, presence);
  }
  // Last-seen times of sessions that went another way (a clean CONNECT, an admin's clear).
  for (const mountedId of await persistence.seenClientIds()) {
    if (!stored.has(mountedId) && !connected.has(mountedId))
      await persistence.forgetSeen(mountedId);
  }
  return expired;
}
