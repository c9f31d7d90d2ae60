import type { AedesPublishPacket, Client } from 'aedes';
import type { QoS } from 'mqtt-packet';
import { evaluateAcl } from '../../shared/acl';
import { topicMatches } from '../../shared/topic-filter';
import { getIdentity, type ClientIdentity } from './client-identity';
import { isMounted, unmountTopic } from './mount-point';

export interface AuthorizeForwardOptions {
  /**
   * A live QoS 1/2 message withheld from a persistent session: aedes queued it for the
   * session before asking, and would clear it by a message id it never got.
   */
  onWithheld(client: Client, packet: AedesPublishPacket): void;
}

/**
 * Strips the org mount point from every packet on its way to a client, and withholds what
 * the client may not read.
 *
 * Every packet handed in is this delivery's own, so it is rewritten in place: aedes wraps
 * each live message in a new Packet per subscription (lib/handlers/subscribe.js,
 * handlePacketSubscription), drains a stored offline queue packet by packet, and
 * retained-delivery.ts builds one object per message. A stored packet whose delivery was
 * attempted before is kept unmounted already.
 */
export function createAuthorizeForward(options: AuthorizeForwardOptions) {
  return function authorizeForward(
    client: Client,
    packet: AedesPublishPacket,
  ): AedesPublishPacket | null {
    const identity = getIdentity(client);
    // Closing: nothing is sent, and nothing is withheld from its session for good either.
    if (!identity || identity.closing) return null;
    let topic: string | null = packet.topic;
    if (isMounted(topic)) {
      topic = unmountTopic(identity.org, topic);
      if (topic === null) return null; // never crosses orgs, whatever happened upstream
    }
    // A mounted `#` also matches `$<org>/$SYS/…`; only a `$SYS` filter may deliver it
    // [MQTT-4.7.2-1].
    if (topic.startsWith('$') && !hasDollarSubscription(client, identity.org, topic)) return null;
    if (packet.messageId !== undefined) {
      // A packet from the session's stored queue carries the message id aedes gave it on
      // the way out (live ones get theirs after this). It was queued under the rules of its
      // time: if the user may no longer read it, it is dropped, and aedes clears it from
      // the queue by that id.
      if (!mayRead(identity, topic)) return null;
    } else if (identity.checksDeliveries && !mayRead(identity, topic)) {
      // Live: checked only for a connection holding a subscription granted with part of
      // it excluded (authorize-subscribe.ts), or whose rules changed since (live-acl.ts);
      // every other one's subscriptions were checked whole.
      if (packet.qos > 0 && !client.clean) options.onWithheld(client, packet);
      return null;
    }
    packet.topic = topic;
    if (packet.qos > 1) packet.qos = grantedQoS(client, identity.org, topic, packet.qos) as QoS;
    return packet;
  };
}

/**
 * A QoS 2 message goes out at the highest QoS among the client's filters that match it
 * [MQTT-3.8.4-6, MQTT-3.3.5-1], live or from its stored queue. aedes looked the topic up
 * among the filters, which missed every wildcard filter and, with mount points, every
 * filter. At least 1: the message was queued or matched for a filter granted 1 or more,
 * and a stored one needs its PUBACK to leave the queue. At most 2, whatever older
 * versions stored (a Last Will of QoS 3).
 */
function grantedQoS(client: Client, org: string, topic: string, qos: number): number {
  let granted = 1;
  for (const [, filterQoS] of matchingFilters(client, org, topic)) {
    granted = Math.max(granted, filterQoS);
  }
  return Math.min(granted, qos, 2);
}

function mayRead(identity: ClientIdentity, topic: string): boolean {
  return evaluateAcl(identity.rules, 'subscribe', topic, {
    username: identity.user,
    clientid: identity.clientId,
  }).allowed;
}

function hasDollarSubscription(client: Client, org: string, topic: string): boolean {
  for (const [filter] of matchingFilters(client, org, topic)) {
    if (filter.startsWith('$')) return true;
  }
  return false;
}

/** The client's filters, as it named them, that match `topic`, each with its QoS. */
function* matchingFilters(
  client: Client,
  org: string,
  topic: string,
): Generator<[filter: string, qos: number]> {
  const subscriptions =
    (client as { subscriptions?: Record<string, { qos?: number } | undefined> }).subscriptions ??
    {};
  for (const [mounted, subscription] of Object.entries(subscriptions)) {
    const filter = unmountTopic(org, mounted);
    if (filter !== null && topicMatches(filter, topic)) yield [filter, subscription?.qos ?? 0];
  }
}
