import type { Client } from 'aedes';
import type { Level } from 'level';
import { getIdentity } from './client-identity';
import { orgOfMountedTopic, parseMountedClientId } from './mount-point';
import { markStrayFiltersDropped, storedFilters, strayFiltersDropped } from './stored-sessions';

interface SubscriptionStore {
  addSubscriptions(client: { id: string }, subscriptions: { topic: string }[]): Promise<void>;
}

/** The SUBSCRIBE entries authorizeSubscribe granted (and mounted), as aedes holds them. */
const granted = new WeakSet<object>();
/** Those of them handed to the store already. */
const stored = new WeakSet<object>();

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
 * session was restored. Only the entries authorizeSubscribe granted are stored, and only
 * under the client's own org.
 *
 * Each once: the k-th filter's call hands in the k granted so far, so storing them all
 * wrote a SUBSCRIBE of n filters n²/2 times (a review's 1,000 filters took 37 s and 1 GB).
 * A filter's call stores what was granted since the call before: its own filter.
 */
export function storeGrantedOnly(store: SubscriptionStore): void {
  const add = store.addSubscriptions.bind(store);
  store.addSubscriptions = (client, subscriptions) => {
    const org = getIdentity(client as Client)?.org;
    const kept = subscriptions.filter(
      (sub) =>
        granted.has(sub) &&
        !stored.has(sub) &&
        org !== undefined &&
        orgOfMountedTopic(sub.topic) === org,
    );
    for (const sub of kept) stored.add(sub);
    return kept.length > 0 ? add(client, kept) : Promise.resolve();
  };
}

/**
 * Sessions stored before only granted filters were kept may hold the others, as their
 * clients named them (a `#` queueing every org's messages for the session while it is
 * away): once per data dir, at start and before the persistence loads its index of
 * subscriptions, every stored filter not under its session's own org is deleted, in one
 * batch (through the persistence, each removal searched its index: minutes for 10,000
 * sessions sharing a stray filter). Returns how many were.
 */
export async function dropStrayFiltersOnce(db: Level<string, unknown>): Promise<number> {
  if (await strayFiltersDropped(db)) return 0;
  const strays: string[] = [];
  for await (const { key, clientId, topic } of storedFilters(db)) {
    const org = parseMountedClientId(clientId)?.org;
    if (org !== undefined && orgOfMountedTopic(topic) !== org) strays.push(key);
  }
  if (strays.length > 0) await db.batch(strays.map((key) => ({ type: 'del' as const, key })));
  await markStrayFiltersDropped(db, Date.now());
  return strays.length;
}
