import type { Client } from 'aedes';
import { describe, expect, it } from 'vitest';
import { setIdentity } from '../../../src/server/broker/client-identity';
import { noteGranted, storeGrantedOnly } from '../../../src/server/broker/granted-subscriptions';
import { memberIdentity } from '../support/member-identity';

// aedes stores a SUBSCRIBE's whole list with each of its filters (lib/handlers/subscribe.js,
// `storeSubscriptions`, called once per filter as it is granted): each granted filter must
// reach the store once, not once per filter after it (n²/2 writes for one packet).

function aliceClient(): Client {
  const client = { id: 'demo:alice:c1' } as unknown as Client;
  setIdentity(client, memberIdentity('alice', 'c1'));
  return client;
}

describe('storeGrantedOnly', () => {
  it('stores each granted filter of a SUBSCRIBE once, as aedes asks filter by filter', async () => {
    const written: string[] = [];
    const store = {
      addSubscriptions: async (_client: { id: string }, subs: { topic: string }[]) => {
        written.push(...subs.map((sub) => sub.topic));
      },
    };
    storeGrantedOnly(store);
    const client = aliceClient();
    const packet = Array.from({ length: 200 }, (_, i) => ({
      topic: `$demo/chat/r${i}/messages`,
      qos: 1,
    }));
    const refused = { topic: '#', qos: 1 };
    const otherOrg = { topic: '$acme/chat/general/messages', qos: 1 };
    const subscriptions = [...packet, refused, otherOrg];
    for (const sub of [...packet, otherOrg]) {
      noteGranted(sub);
      await store.addSubscriptions(client, subscriptions);
    }
    await store.addSubscriptions(client, subscriptions); // the refused one's call
    expect(written).toEqual(packet.map((sub) => sub.topic));
  });

  it('stores a filter again when a later SUBSCRIBE names it again (its QoS may change)', async () => {
    const written: { topic: string; qos: number }[] = [];
    const store = {
      addSubscriptions: async (_client: { id: string }, subs: { topic: string }[]) => {
        written.push(...(subs as { topic: string; qos: number }[]));
      },
    };
    storeGrantedOnly(store);
    const client = aliceClient();
    for (const qos of [0, 1]) {
      const sub = { topic: '$demo/chat/general/messages', qos };
      noteGranted(sub);
      await store.addSubscriptions(client, [sub]);
    }
    expect(written.map((sub) => sub.qos)).toEqual([0, 1]);
  });
});
