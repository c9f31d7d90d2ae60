import type { Client } from 'aedes';
import { evaluateSubscribe, type AclRule } from '../../shared/acl';
import type { ClientIdentity } from './client-identity';
import { unmountTopic } from './mount-point';
import type { BrokerPersistence } from './persistence';
import { releaseFilters } from './subscription-limit';

// aedes keeps a client's live subscriptions here, keyed by the (mounted) filter.
type ClientWithSubscriptions = Client & { subscriptions: Record<string, unknown> };

export function subscriptionsOf(client: Client): string[] {
  return Object.keys((client as ClientWithSubscriptions).subscriptions);
}

/**
 * Gives a connection new ACL rules without a reconnect. Publishes are checked against the
 * identity's rules on every packet, so replacing them is enough there. Subscriptions were
 * checked once: from now on every delivery is checked one by one (authorize-forward.ts),
 * and pruneSubscriptions then removes those the new rules no longer allow. Never cleared
 * for the connection: a subscription aedes has granted but not yet registered is not
 * there to prune.
 */
export function giveRules(identity: ClientIdentity, rules: readonly AclRule[]): void {
  identity.rules = [...rules]; // each connection its own copy
  identity.checksDeliveries = true;
}

/**
 * Removes the connection's subscriptions its identity's rules no longer allow, from its
 * stored session too, so a reconnect does not bring them back; those allowed with part
 * excluded stay. The client is not told (MQTT 3.1.1 has no server-initiated UNSUBSCRIBE);
 * it simply stops receiving those messages.
 *
 * @returns the client-side filters that were removed
 */
export async function pruneSubscriptions(
  client: Client,
  identity: ClientIdentity,
  persistence: BrokerPersistence,
): Promise<string[]> {
  const forbidden = forbiddenFilters(subscriptionsOf(client), identity.rules, identity);
  if (forbidden.length === 0) return [];
  const mounted = forbidden.map((f) => f.mounted);
  releaseFilters(client, mounted);
  if (!client.clean) await persistence.removeSubscriptions(client, mounted);
  // Without a messageId aedes sends no UNSUBACK and leaves the persistence alone
  // (lib/handlers/unsubscribe.js): the same path it takes when a connection closes.
  await new Promise<void>((resolve, reject) =>
    client.unsubscribe({ cmd: 'unsubscribe', unsubscriptions: mounted }, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return forbidden.map((f) => f.filter);
}

/**
 * The same for a persistent session whose client is away: without this its stored
 * subscriptions would keep queueing messages the user may no longer read. What is queued
 * already is checked again on its way out at reconnect (authorize-forward.ts).
 *
 * @returns the client-side filters that were removed
 */
export async function pruneStoredSubscriptions(
  persistence: BrokerPersistence,
  session: { mountedId: string; org: string; user: string; clientId: string },
  rules: AclRule[],
): Promise<string[]> {
  const stored = await persistence.subscriptionsByClient({ id: session.mountedId });
  const forbidden = forbiddenFilters(
    stored.map((subscription) => subscription.topic),
    rules,
    session,
  );
  if (forbidden.length > 0) {
    await persistence.removeSubscriptions(
      { id: session.mountedId },
      forbidden.map((f) => f.mounted),
    );
  }
  return forbidden.map((f) => f.filter);
}

/** Which of a session's (mounted) filters `rules` no longer let it subscribe to. */
function forbiddenFilters(
  mounted: readonly string[],
  rules: readonly AclRule[],
  session: { org: string; user: string; clientId: string },
): { mounted: string; filter: string }[] {
  const vars = { username: session.user, clientid: session.clientId };
  const forbidden: { mounted: string; filter: string }[] = [];
  for (const topic of mounted) {
    const filter = unmountTopic(session.org, topic);
    if (filter !== null && !evaluateSubscribe(rules, filter, vars).allowed) {
      forbidden.push({ mounted: topic, filter });
    }
  }
  return forbidden;
}
