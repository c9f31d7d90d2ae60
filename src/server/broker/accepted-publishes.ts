import type { Client } from 'aedes';
import { getIdentity } from './client-identity';

/** Where aedes looks up and keeps a received QoS 2 publish (the broker's persistence). */
export interface IncomingPackets {
  incomingGetPacket(client: { id: string }, packet: object): Promise<unknown>;
  incomingStorePacket(client: { id: string }, packet: object): Promise<void>;
}

export interface AcceptedPublishes {
  /**
   * Resolves once every publish that `user`'s closed connections had accepted has been
   * routed (its retained value stored) or dropped.
   */
  landed(org: string, user: string): Promise<void>;
}

interface Storing {
  client: Client;
  landed: Promise<void>;
  settle(): void;
  started: boolean;
}

/**
 * A publish a connection had accepted still goes on after the connection is closed: aedes
 * routes a QoS 0 one at once, a QoS 1 one a turn later (once its PUBACK is written, which
 * happens as it is accepted; one whose PUBACK waits for the socket to drain goes nowhere
 * once closed), and a QoS 2 one only once it has looked its packet id up on disk and
 * stored it there, two LevelDB operations later. What the server publishes to correct a
 * closed connection's state (an offline presence, a clear) must come after it, or the
 * state it corrects lands after and stands for good.
 *
 * Installs itself on `incoming`; aedes looks those methods up at each publish.
 */
export function watchAcceptedPublishes(incoming: IncomingPackets): AcceptedPublishes {
  // QoS 2 publishes between their acceptance and their routing.
  const storing = new Map<object, Storing>();
  const get = incoming.incomingGetPacket.bind(incoming);
  const store = incoming.incomingStorePacket.bind(incoming);

  incoming.incomingGetPacket = (client, packet) => {
    const found = get(client, packet);
    // A PUBREL looks its publish up too: that one has been routed already.
    if ((packet as { cmd?: unknown }).cmd !== 'publish') return found;
    let resolve!: () => void;
    const entry: Storing = {
      client: client as Client,
      landed: new Promise<void>((done) => (resolve = done)),
      started: false,
      settle: () => {
        storing.delete(packet);
        resolve();
      },
    };
    storing.set(packet, entry);
    found.then(
      entry.settle, // the same message again [MQTT-4.3.3-2]: aedes routes nothing
      // aedes stores it next, in its own reaction to `found`, or refuses it (too many
      // awaiting PUBREL): by the next turn it has done one or the other.
      () => setImmediate(() => entry.started || entry.settle()),
    );
    return found;
  };

  incoming.incomingStorePacket = (client, packet) => {
    const stored = store(client, packet);
    const entry = storing.get(packet);
    if (entry) {
      entry.started = true;
      // aedes routes it in its own reaction to `stored`, in the same turn as this one.
      stored.then(entry.settle, entry.settle);
    }
    return stored;
  };

  const closedOf = (org: string, user: string) =>
    [...storing.values()]
      .filter(({ client }) => {
        const identity = getIdentity(client);
        // Those of connections still open are theirs to correct.
        return client.closed && identity?.org === org && identity.user === user;
      })
      .map((entry) => entry.landed);

  return {
    async landed(org, user) {
      // A closed connection accepts nothing more, so this ends. Each round ends on a turn:
      // QoS 1 publishes go then, and QoS 2 ones are routed after their store settles.
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        const waiting = closedOf(org, user);
        if (waiting.length === 0) return;
        await Promise.all(waiting);
      }
    },
  };
}
