import type { Client, PublishPacket } from 'aedes';
import type { DecodedPayload } from '../../shared/schemas';
import { agentStateTopic, presenceTopic } from '../../shared/topics';
import { getIdentity, type ClientIdentity } from './client-identity';
import { checkPublish } from './check-publish';
import { DISCARD_TOPIC, mountTopic, unmountTopic } from './mount-point';

export interface AuthorizePublishOptions {
  onDenied(client: Client, topic: string, code: string, reason: string): void;
  /** An accepted publish with a contract payload, decoded (history records it here). */
  onAccepted(packet: PublishPacket, org: string, message: DecodedPayload): void;
}

export function createAuthorizePublish(options: AuthorizePublishOptions) {
  return function authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ): void {
    // After a restart aedes publishes the stored Last Wills with no client at all.
    if (client === null) return callback(null);
    const identity = getIdentity(client);
    if (!identity) return callback(new Error('publish from an unauthenticated client'));
    if (packet === (client as { will?: unknown }).will) {
      authorizeWill(client, identity, packet, options);
      return callback(null);
    }
    const verdict = checkPublish(identity, packet.topic, packet.payload as Buffer, packet.retain);
    if (!verdict.ok) {
      options.onDenied(client, packet.topic, verdict.code, verdict.reason);
      discard(packet);
      return callback(null);
    }
    packet.topic = mountTopic(identity.org, packet.topic);
    if (verdict.message) options.onAccepted(packet, identity.org, verdict.message);
    callback(null);
  };
}

/**
 * A Last Will, checked and mounted at CONNECT, is checked again as it goes out: the user's
 * rules may have been narrowed since. A connection the server is closing (a kick, a
 * revoked token) still sends its will, and so does one whose will is its own last-known
 * state (its presence, or the agent's own state) whatever the rules now: that is how
 * others see it go offline, and a muted user must not stay "online". A refused will goes
 * nowhere, as a refused publish does, and aedes then forgets the stored one.
 */
function authorizeWill(
  client: Client,
  identity: ClientIdentity,
  will: PublishPacket,
  options: AuthorizePublishOptions,
): void {
  const topic = unmountTopic(identity.org, will.topic);
  if (topic === null) {
    options.onDenied(client, will.topic, 'will_topic_outside_org', 'not a topic of the org');
    discard(will);
    return;
  }
  const ownState =
    topic === presenceTopic(identity.user, identity.clientId) ||
    topic === agentStateTopic(identity.user);
  // Its own state is checked against the contract only (the rules were, at CONNECT).
  const rules = ownState
    ? [{ permission: 'allow', action: 'publish', topic } as const]
    : identity.rules;
  const verdict = checkPublish(
    { ...identity, rules, closing: false },
    topic,
    will.payload as Buffer,
    will.retain,
  );
  if (verdict.ok) return;
  options.onDenied(client, topic, `will_${verdict.code}`, verdict.reason);
  discard(will);
}

/** Acknowledged but routed nowhere [MQTT-3.3.5-2]; see DISCARD_TOPIC. */
function discard(packet: PublishPacket): void {
  packet.topic = DISCARD_TOPIC;
  packet.retain = false;
}
