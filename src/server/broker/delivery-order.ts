import type { AedesPublishPacket, Client } from 'aedes';

/**
 * Keeps aedes from losing a message that was overtaken on its way through the broker.
 *
 * aedes numbers each publish (`brokerCounter`) when it arrives, then emits it once its
 * disk writes are done: a retained message waits for its store, a QoS 1 message for the
 * offline queues of persistent subscribers, a plain QoS 0 message for nothing. Each client
 * drops a delivery numbered below the last one it got (lib/client.js, `dedupe`), which is
 * meant to collapse a message matched by two of its subscriptions. So a retained agent
 * state or a QoS 1 chat message overtaken by a quicker publish was silently lost to every
 * client subscribed to both: in one burst of states and replies, every state
 * (test/server/broker/delivery-order.test.ts; upstream: moscajs/aedes#955, #994).
 *
 * Here aedes' check is gone with the delivery functions that made it (direct-delivery.ts),
 * and `collapseOverlaps` drops only a true duplicate. mqemitter hands one message to all of
 * a client's matching subscriptions in one synchronous pass, so a duplicate is always the
 * same (broker, counter) as the delivery just before it.
 */

interface LastDelivery {
  brokerId: string;
  brokerCounter: number;
}

type Forward = (client: Client, packet: AedesPublishPacket) => AedesPublishPacket | null;

/** Wraps the authorizeForward hook: a message reaches a client once, whatever it matched. */
export function collapseOverlaps(forward: Forward): Forward {
  const last = new WeakMap<Client, LastDelivery>();
  return (client, packet) => {
    const { brokerId, brokerCounter } = packet;
    // Retained messages sent on SUBSCRIBE carry no broker id: never duplicates.
    if (brokerId) {
      const previous = last.get(client);
      if (!previous) {
        last.set(client, { brokerId, brokerCounter });
      } else if (previous.brokerCounter === brokerCounter && previous.brokerId === brokerId) {
        return null;
      } else {
        previous.brokerId = brokerId;
        previous.brokerCounter = brokerCounter;
      }
    }
    return forward(client, packet);
  };
}
