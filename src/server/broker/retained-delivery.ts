import type { AedesPublishPacket, Client, Subscription } from 'aedes';
import mqttPacket from 'mqtt-packet';
import type { RetainedIndex, RetainedPacket } from './retained-index';

// How many retained messages may be on their way to one client at once: enough that a
// turn's writes share a WebSocket frame, few enough that a slow reader holds little.
export const RETAINED_WINDOW = 1_024;
const REFUSED = 128; // a SUBACK's failure code, left in the subscription's qos by aedes

/** The part of an aedes Client that sends a message to it (lib/client.js). */
interface DeliveringClient {
  closed: boolean;
  conn: {
    write(chunk: Buffer | string): boolean;
    once(event: 'drain', listener: () => void): unknown;
  };
  broker: {
    authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null;
  };
  deliverQoS(packet: RetainedDelivery, done: () => void): void;
}

interface RetainedDelivery {
  cmd: 'publish';
  topic: string;
  payload: Buffer;
  qos: number;
  retain: true;
  dup: false;
  /** No broker id: never collapsed as a duplicate of a live message (delivery-order.ts). */
  brokerId: null;
  brokerCounter: 0;
}

/**
 * Sends the retained messages matching a SUBSCRIBE's granted filters, each once, at the
 * lower of its own QoS and the highest granted QoS of a filter that matches it
 * [MQTT-3.8.4-6].
 *
 * aedes pipes them through a stream one at a time: each waits two event-loop turns and
 * leaves in its own WebSocket frame, and 10,000 agent states took twice Mosquitto's time
 * (docs/benchmarks.md). Here up to RETAINED_WINDOW are in flight: the writes of a turn
 * share a frame, and as each delivery calls back only once written (after 'drain' when
 * the socket is full), a slow reader still sets the pace. Call on aedes' 'subscribe'
 * event, which comes after the SUBACK is written; the persistence then gives aedes' own
 * retained stream nothing (persistence.ts).
 *
 * Messages that go out at QoS 0 (agent states to the app) are written here directly,
 * through the broker's authorizeForward as aedes would, up to RETAINED_WINDOW a turn:
 * aedes' own QoS 0 path costs two setImmediate callbacks, two closures and a packet copy
 * per message, which was most of the broker's time sending 10,000 states. Each is one
 * write of bytes encoded once per retained message (`encodedQoS0`), gathered with the
 * turn's other writes by the transport (a WebSocket frame, or one TCP `writev`: see
 * turn-batched-writes.ts); the writing stops while the connection is full and goes on at
 * its 'drain'.
 */
export function deliverRetained(
  index: RetainedIndex,
  client: Client,
  subscriptions: readonly Subscription[],
): void {
  const granted = subscriptions
    .filter((sub) => (sub.qos as number) !== REFUSED)
    .sort((a, b) => b.qos - a.qos);
  if (granted.length === 0) return;
  const target = client as unknown as DeliveringClient;
  const pending = deliveries(index, granted);
  let inFlight = 0;
  let exhausted = false;
  let waiting = false; // for the next turn, or for 'drain'
  // Written directly since the last pause: counted across calls, as each QoS 1 delivery
  // that completes calls `next` again within the same turn.
  let written = 0;
  const resume = (): void => {
    waiting = false;
    written = 0;
    next();
  };
  const next = (): void => {
    while (!exhausted && !waiting && inFlight < RETAINED_WINDOW) {
      if (written === RETAINED_WINDOW) {
        waiting = true;
        setImmediate(resume);
        return;
      }
      const item = target.closed ? null : pending.next();
      if (!item || item.done) {
        exhausted = true;
        return;
      }
      const { packet, qos } = item.value;
      if (qos !== 0) {
        inFlight++;
        target.deliverQoS(toDelivery(packet, qos), delivered);
        continue;
      }
      written++;
      const forwarded = target.broker.authorizeForward(
        client,
        toDelivery(packet, qos) as unknown as AedesPublishPacket,
      );
      if (!forwarded) continue;
      if (!target.conn.write(encodedQoS0(packet, forwarded))) {
        waiting = true;
        target.conn.once('drain', resume);
        return;
      }
    }
  };
  const delivered = (): void => {
    inFlight--;
    next();
  };
  // From the next turn, as aedes' own deliveries start: the SUBACK leaves in a write of its
  // own, ahead of them.
  setImmediate(next);
}

/** Each matching retained message once, with the QoS it goes out at. */
function* deliveries(
  index: RetainedIndex,
  granted: readonly Subscription[],
): Generator<{ packet: RetainedPacket; qos: number }> {
  const sent = granted.length > 1 ? new Set<string>() : null;
  for (const { topic: filter, qos } of granted) {
    for (const packet of index.match(filter)) {
      if (sent) {
        if (sent.has(packet.topic)) continue;
        sent.add(packet.topic);
      }
      yield { packet, qos: Math.min(packet.qos, qos) };
    }
  }
}

function toDelivery(packet: RetainedPacket, qos: number): RetainedDelivery {
  return {
    cmd: 'publish',
    topic: packet.topic,
    payload: packet.payload,
    qos,
    retain: true,
    dup: false,
    brokerId: null,
    brokerCounter: 0,
  };
}

/**
 * A retained message as a QoS 0 PUBLISH, encoded once per topic it is delivered under
 * (the same for every client of its org) and kept as long as the message is retained.
 * mqtt-packet's writeToStream wrote each message in four or five pieces, and encoding was
 * two thirds of the broker's time sending 10,000 agent states; an org's members opening
 * the board get the same bytes until a state changes.
 */
const encodings = new WeakMap<RetainedPacket, { topic: string; bytes: Buffer }>();

function encodedQoS0(source: RetainedPacket, forwarded: AedesPublishPacket): Buffer {
  const cached = encodings.get(source);
  if (cached?.topic === forwarded.topic) return cached.bytes;
  const bytes = mqttPacket.generate(forwarded);
  encodings.set(source, { topic: forwarded.topic, bytes });
  return bytes;
}
