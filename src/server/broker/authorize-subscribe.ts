import type { Client, Subscription } from 'aedes';
import { evaluateSubscribe } from '../../shared/acl';
import { validateTopicFilter } from '../../shared/topic-filter';
import { getIdentity } from './client-identity';
import { noteGranted } from './granted-subscriptions';
import { mountTopic, unmountTopic } from './mount-point';
import { claimFilter, MAX_SUBSCRIPTIONS_PER_CLIENT } from './subscription-limit';

export interface AuthorizeSubscribeOptions {
  onDenied(client: Client, filter: string, code: string, reason: string): void;
  /**
   * A persistent session's stored filter refused at its restore for the limit on filters:
   * stored, it would go on queueing messages while the client is away.
   */
  onRestoredOverLimit(client: Client, mounted: string): void;
}

export function createAuthorizeSubscribe(options: AuthorizeSubscribeOptions) {
  // One line per connection over the limit, not one per filter refused.
  const overLimit = new WeakSet<Client>();
  return function authorizeSubscribe(
    client: Client,
    sub: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ): void {
    const identity = getIdentity(client);
    if (!identity) return callback(new Error('subscribe from an unauthenticated client'));
    // Closing: refused (a stored filter being restored stays stored).
    if (identity.closing) return callback(null, null);
    // A persistent session's stored (mounted) filters come back through here during CONNECT,
    // before the CONNACK; a SUBSCRIBE from the wire is handled only after it. Stored filters
    // are checked again so ACL changes made while the client was away take effect.
    const restoring = !(client as { connackSent?: boolean }).connackSent;
    const filter = restoring ? unmountTopic(identity.org, sub.topic) : sub.topic;
    if (filter === null) return callback(null, null);
    const filterError = validateTopicFilter(filter);
    if (filterError) {
      options.onDenied(client, filter, `filter_${filterError.code}`, filterError.message);
      return callback(null, null); // SUBACK 0x80 for this filter only [MQTT-3.9.3-2]
    }
    const decision = evaluateSubscribe(identity.rules, filter, {
      username: identity.user,
      clientid: identity.clientId,
    });
    if (!decision.allowed) {
      options.onDenied(client, filter, 'acl_denied', `subscribe to ${filter} is not allowed`);
      return callback(null, null);
    }
    const mounted = mountTopic(identity.org, filter);
    if (!claimFilter(client, mounted)) {
      if (restoring) options.onRestoredOverLimit(client, mounted);
      if (!overLimit.has(client)) {
        overLimit.add(client);
        options.onDenied(
          client,
          filter,
          'too_many_subscriptions',
          `a connection may hold ${MAX_SUBSCRIPTIONS_PER_CLIENT} filters; the rest are refused`,
        );
      }
      return callback(null, null);
    }
    // Part of it denied (a room, say): granted, and authorizeForward checks what it delivers.
    if (decision.excluded.length > 0) identity.checksDeliveries = true;
    // In place: aedes looks up retained messages by the SUBSCRIBE packet's own entries.
    sub.topic = mounted;
    noteGranted(sub);
    callback(null, sub);
  };
}
