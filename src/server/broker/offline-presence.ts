import type { Aedes } from 'aedes';
import { decodeStoredPayload, type Presence } from '../../shared/schemas';
import { presenceTopic } from '../../shared/topics';
import { mountTopic, unmountTopic } from './mount-point';
import type { RetainedIndex } from './retained-index';

/**
 * Turns `user`'s retained presences that still say online offline, as of now, the way each
 * connection's own Last Will would have (same payload, QoS 1, retained), except those of
 * client ids in `connected`; returns how many.
 *
 * A connection that ends with a DISCONNECT takes its will with it (the app says one on its
 * old client at every token renewal) and leaves its last presence retained: the next
 * connection corrects it, but a disabled user has none, and stayed online for good.
 *
 * Called once the user's connections are closed and the publishes they had accepted have
 * landed (accepted-publishes.ts, broker-admin.ts): an online one landing after ours would
 * stand for good.
 */
export async function markPresenceOffline(
  aedes: Aedes,
  retained: RetainedIndex,
  org: string,
  user: string,
  connected: () => ReadonlySet<string>,
): Promise<number> {
  const open = connected();
  const stale: string[] = [];
  for (const packet of retained.match(mountTopic(org, presenceTopic(user, '+')))) {
    const topic = unmountTopic(org, packet.topic);
    if (topic === null) continue;
    // Stored: one retained before unknown fields were refused is still read (and replaced).
    const decoded = decodeStoredPayload(topic, packet.payload);
    if (decoded.ok && decoded.message.kind === 'presence') {
      const { clientId, value } = decoded.message;
      if (value.status === 'online' && !open.has(clientId)) stale.push(packet.topic);
    }
  }
  const offline: Presence = { status: 'offline', since: Date.now() };
  const payload = Buffer.from(JSON.stringify(offline));
  // Published in the same turn as read: nothing can retain anything in between.
  await Promise.all(stale.map((topic) => publishRetained(aedes, topic, payload)));
  return stale.length;
}

/** As the broker itself, into a topic already mounted (no client's hooks apply). */
function publishRetained(aedes: Aedes, mountedTopic: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    aedes.publish(
      { cmd: 'publish', topic: mountedTopic, payload, qos: 1, retain: true, dup: false },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}
