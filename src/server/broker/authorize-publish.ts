import type { Client, PublishPacket } from 'aedes';
import type { DecodedPayload } from '../../shared/schemas';
import { getIdentity } from './client-identity';
import { checkPublish } from './check-publish';
import { DISCARD_TOPIC, mountTopic } from './mount-point';

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
    // Last Wills were checked and mounted at CONNECT; after a restart aedes publishes the
    // stored ones with no client at all.
    if (client === null || packet === (client as { will?: unknown }).will) return callback(null);
    const identity = getIdentity(client);
    if (!identity) return callback(new Error('publish from an unauthenticated client'));
    const verdict = checkPublish(identity, packet.topic, packet.payload as Buffer, packet.retain);
    if (!verdict.ok) {
      options.onDenied(client, packet.topic, verdict.code, verdict.reason);
      // Acknowledged but routed nowhere [MQTT-3.3.5-2]; see DISCARD_TOPIC.
      packet.topic = DISCARD_TOPIC;
      packet.retain = false;
      return callback(null);
    }
    packet.topic = mountTopic(identity.org, packet.topic);
    if (verdict.message) options.onAccepted(packet, identity.org, verdict.message);
    callback(null);
  };
}
