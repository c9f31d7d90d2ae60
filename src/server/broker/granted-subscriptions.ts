import type { Client } from 'aedes';
import type { Level } from 'level';
import { getIdentity } from './client-identity';
import { orgOfMountedClientId, orgOfMountedTopic } from './mount-point';
import { markStrayFiltersDropped, storedFilters, strayFiltersDropped } from './stored-sessions';

interface SubscriptionStore {
  addSubscriptions(client: { id: string }, subscriptions: { topic: string }[]): Promise<void>;
}

/** The SUBSCRIBE entries authorizeSubscribe granted (and mounted), as aedes holds them. */
const granted = new WeakSet<object>();

/** Called by authorizeSubscribe for each filter it grants, once mounted. */
export function noteGranted(subscription: object): void {
  granted.add(subscription);
}

/**
 * A persistent session keeps the filters it was granted, and nothing else.
 *
 * aedes stores a SUBSCRIBE's whole list each time it stores one of its filters
 * (lib/handlers/subscribe.js, `storeSubscriptions`): with it went the filters
 * authorizeSubscribe refused, and those not checked yet, as the client named them. A
 * refused `#` so stayed with the session, matched every message of every org, and filled
 * its queue while it was away with messages it had not been granted or had unsubscribed
 * from; a refused `$demo/agents/+/state` even came back as a live subscription when the
 * session was restored. Only the entries authorizeSubscribe granted are stored (each with
 * the call for its own filter), and only under the client's own org.
 */
export function storeGrantedOnly(store: SubscriptionStore): void {
  const add = store.addSubscriptions.bind(store);
  store.addSubscriptions = (client, subscriptions) => {
    const org = getIdentity(client as Client)?.org;
    const kept = subscriptions.filter(
      (sub) => granted.has(sub) && org !== undefined && orgOfMountedTopic(sub.topic) === org,
    );
    return kept.length > 0 ? add(client, kept) : Promise.resolve();
  };
}

/**
 * Sessions stored before only granted filters were kept may hold the others, as their
 * clients named them (a `#` queueing every org's messages for the session while it is
 * away): once per data dir, at start, every stored filter not under its session's own org
 * is removed (through the persistence, whose in-memory index of subscriptions follows).
 * Returns how many were.
 */
export async function dropStrayFiltersOnce(
  db: Level<string, unknown>,
  store: { removeSubscriptions(client: { id: string }, topics: string[]): Promise<void> },
): Promise<number> {
  if (await strayFiltersDropped(db)) return 0;
  const strays = new Map<string, string[]>();
  for await (const { clientId, topic } of storedFilters(db)) {
    const org = orgOfMountedClientId(clientId);
    if (org === null || orgOfMountedTopic(topic) === org) continue;
    const topics = strays.get(clientId);
    if (topics) topics.push(topic);
    else strays.set(clientId, [topic]);
  }
  let dropped = 0;
  for (const [clientId, topics] of strays) {
    await store.removeSubscriptions({ id: clientId }, topics);
    dropped += topics.length;
  }
  await markStrayFiltersDropped(db, Date.now());
  return dropped;
}
