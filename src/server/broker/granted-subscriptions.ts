import type { Client } from 'aedes';
import { getIdentity } from './client-identity';
import { orgOfMountedTopic } from './mount-point';

interface SubscriptionStore {
  addSubscriptions(client: { id: string }, subscriptions: { topic: string }[]): Promise<void>;
}

/**
 * A persistent session keeps the filters it was granted, and nothing else.
 *
 * aedes stores a SUBSCRIBE's whole list each time it stores one of its filters
 * (lib/handlers/subscribe.js, `storeSubscriptions`): with it went the filters
 * authorizeSubscribe refused, and those not checked yet, as the client named them. A
 * refused `#` so stayed with the session, matched every message of every org, and filled
 * its queue while it was away with messages it had not been granted or had unsubscribed
 * from. Here only filters mounted under the client's own org are stored: the granted ones
 * (each is stored once checked, with the call for its own filter).
 */
export function storeGrantedOnly(store: SubscriptionStore): void {
  const add = store.addSubscriptions.bind(store);
  store.addSubscriptions = (client, subscriptions) => {
    const org = getIdentity(client as Client)?.org;
    const granted = subscriptions.filter(
      (sub) => org !== undefined && orgOfMountedTopic(sub.topic) === org,
    );
    return granted.length > 0 ? add(client, granted) : Promise.resolve();
  };
}
