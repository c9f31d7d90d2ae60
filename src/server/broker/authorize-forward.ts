import type { AedesPublishPacket, Client } from 'aedes';
import { topicMatches } from '../../shared/topic-filter';
import { getIdentity } from './client-identity';
import { isMounted, unmountTopic } from './mount-point';

/**
 * Strips the org mount point from every packet on its way to a client.
 *
 * aedes delivers live messages by copying the returned packet (the original is shared by
 * all subscribers, so it must not change), but drains a stored offline queue by writing
 * the packet it passed in (lib/handlers/connect.js, emptyQueueFilter). Those are per-client
 * QoS packets, recognisable by their own `writeCallback`, and are rewritten in place. A
 * stored packet whose delivery was attempted before is kept unmounted already.
 */
export function authorizeForward(
  client: Client,
  packet: AedesPublishPacket,
): AedesPublishPacket | null {
  const identity = getIdentity(client);
  if (!identity) return null;
  let topic: string | null = packet.topic;
  if (isMounted(topic)) {
    topic = unmountTopic(identity.org, topic);
    if (topic === null) return null; // never crosses orgs, whatever happened upstream
  }
  // A mounted `#` also matches `$<org>/$SYS/…`; only a `$SYS` filter may deliver it
  // [MQTT-4.7.2-1].
  if (topic.startsWith('$') && !hasDollarSubscription(client, identity.org, topic)) return null;
  if ('writeCallback' in packet) {
    packet.topic = topic;
    return packet;
  }
  return Object.assign(Object.create(Object.getPrototypeOf(packet) as object) as object, packet, {
    topic,
  }) as AedesPublishPacket;
}

function hasDollarSubscription(client: Client, org: string, topic: string): boolean {
  const subscriptions = (client as { subscriptions?: Record<string, unknown> }).subscriptions ?? {};
  for (const mounted of Object.keys(subscriptions)) {
    const filter = unmountTopic(org, mounted);
    if (filter?.startsWith('$') && topicMatches(filter, topic)) return true;
  }
  return false;
}
