import type { AedesPublishPacket, Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { DONE_IN_MEMORY } from './outgoing-cache';

// aedes 1.2 gives each client two delivery functions (lib/client.js, `deliver0` and
// `deliverQoS`), which every subscription of the client calls once per message. Each
// delivery there waits a turn (setImmediate) before it copies the packet and writes it, and
// a QoS 1 delivery to a persistent session then waits again, for a promise, even when the
// outgoing cache answered at once from memory; and each write sets one more immediate to
// call mqemitter back. Without them the broker spends a quarter (QoS 1) to a half (QoS 0)
// less CPU per delivery in fan-out (docs/benchmarks.md, eighth round). These replacements
// do the same work in the same order: the write is the delivery's last step either way,
// and it still calls back on a later turn (or after a drain), so nothing recurses.
// They also check no delivery counter: `collapseOverlaps` (delivery-order.ts) drops the
// true duplicates that aedes' check was for, without its losses.

type Done = () => void;
type Deliver = (packet: AedesPublishPacket, done: Done) => void;

/** The parts of an aedes 1.2 client (lib/client.js) the deliveries use. */
interface AedesClient {
  id: string;
  clean: boolean;
  connecting: boolean;
  connected: boolean;
  errored: boolean;
  conn: Parameters<typeof mqttPacket.writeToStream>[1];
  subscriptions: Record<string, { qos?: number } | undefined>;
  broker: {
    id: string;
    counter: number;
    authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null;
  };
  /** The next message id it hands out (aedes starts it at random). */
  _nextId: number;
  _onError(error: Error | null | undefined): void;
  waitForDrain(done: (error?: Error | null) => void): void;
  emit(event: 'error', error: Error): boolean;
  deliver0: Deliver;
  deliverQoS: Deliver;
}

/** The outgoing-queue calls a QoS 1 delivery to a persistent session makes. */
export interface DeliveryStore {
  outgoingUpdate(client: Client, packet: unknown): Promise<unknown>;
  outgoingClearMessageId(client: Client, packet: unknown): Promise<unknown>;
}

/** A delivery's own copy of the message, as aedes' Packet and QoSPacket make it. */
interface Outgoing {
  cmd: 'publish';
  brokerId: string;
  brokerCounter: number;
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  clientId?: string;
  nl?: boolean;
  properties?: unknown;
  messageExpiry?: number;
}

const MAX_MESSAGE_ID = 65_535;
const WRITTEN = 'written';
const DRAINING = 'draining';
const noop = () => {};

// The callbacks of a turn's writes, run together on the next turn (where aedes set one
// immediate for each): the same order and the same turn, with one setImmediate.
let dueNextTurn: Done[] = [];

function onNextTurn(done: Done): void {
  if (dueNextTurn.length === 0) setImmediate(runDue);
  dueNextTurn.push(done);
}

function runDue(): void {
  const due = dueNextTurn;
  dueNextTurn = [];
  let next = 0;
  try {
    while (next < due.length) due[next++]!();
  } finally {
    // One that threw leaves the others theirs, as separate immediates would.
    if (next < due.length) {
      if (dueNextTurn.length === 0) setImmediate(runDue);
      dueNextTurn = [...due.slice(next), ...dueNextTurn];
    }
  }
}

/**
 * Replaces a client's delivery functions; call before it can subscribe (preConnect). Each
 * client keeps two closures, as with aedes' own; the rest is shared.
 */
export function deliverDirectly(client: Client, store: DeliveryStore): void {
  const target = client as unknown as AedesClient;

  target.deliver0 = (packet, done) => {
    const forwarded = forwardable(target, packet);
    if (!forwarded) {
      setImmediate(done);
      return;
    }
    const outgoing = copyOf(forwarded, target.broker);
    outgoing.qos = 0;
    settle(target, write(target, outgoing), done, false);
  };

  target.deliverQoS = (packet, done) => {
    if (packet.qos === 0) {
      target.deliver0(packet, done);
      return;
    }
    const forwarded = forwardable(target, packet);
    if (!forwarded) {
      // Nothing will be sent, so no PUBACK will clear what the session queued for it.
      if (!target.clean) store.outgoingClearMessageId(client, packet).then(noop, noop);
      setImmediate(done);
      return;
    }
    const outgoing = copyOf(forwarded, target.broker);
    outgoing.messageId = forwarded.messageId || nextMessageId(target);
    if (target.clean || outgoing.retain) {
      sendQoS(target, outgoing, done, null);
      return;
    }
    const recorded = store.outgoingUpdate(client, outgoing);
    // Recorded in memory, in order: nothing to wait for.
    if (recorded === DONE_IN_MEMORY) sendQoS(target, outgoing, done, null);
    else
      recorded.then(
        () => sendQoS(target, outgoing, done, null),
        (error: unknown) => sendQoS(target, outgoing, done, error),
      );
  };
}

/** What to send the client, or null: its own message with no-local set, or refused. */
function forwardable(client: AedesClient, packet: AedesPublishPacket): AedesPublishPacket | null {
  const own = packet as AedesPublishPacket & { clientId?: string; nl?: boolean };
  if (own.nl && own.clientId === client.id) return null; // [MQTT-3.8.3-3]
  return client.broker.authorizeForward(client as unknown as Client, packet);
}

/** aedes' lib/write.js, saying what became of the write instead of calling back. */
function write(client: AedesClient, packet: Outgoing): typeof WRITTEN | typeof DRAINING | Error {
  if (!client.connecting && !client.connected) return new Error('connection closed');
  try {
    if (mqttPacket.writeToStream(packet as mqttPacket.Packet, client.conn) || client.errored)
      return WRITTEN;
    return DRAINING;
  } catch {
    return new Error('packet received not valid');
  }
}

function sendQoS(client: AedesClient, outgoing: Outgoing, done: Done, error: unknown): void {
  if (error) {
    client.emit('error', error as Error);
    done();
    return;
  }
  settle(client, write(client, outgoing), done, true);
}

/**
 * Calls `done` on a later turn, or once a full socket has drained, after reporting an
 * error as aedes does: a QoS 0 delivery's to the client's error handler, a QoS 1 or 2
 * delivery's as the client's 'error' event.
 */
function settle(client: AedesClient, outcome: ReturnType<typeof write>, done: Done, qos: boolean) {
  if (outcome === WRITTEN) onNextTurn(done);
  else if (outcome === DRAINING)
    client.waitForDrain((error) => {
      report(client, error, qos);
      done();
    });
  else
    setImmediate(() => {
      report(client, outcome, qos);
      done();
    });
}

function report(client: AedesClient, error: Error | null | undefined, qos: boolean): void {
  if (!qos) client._onError(error);
  else if (error) client.emit('error', error);
}

function nextMessageId(client: AedesClient): number {
  const id = client._nextId;
  client._nextId = id >= MAX_MESSAGE_ID ? 1 : id + 1;
  return id;
}

/** aedes-packet's copy: the fields aedes sends and stores, the optional ones if present. */
function copyOf(original: AedesPublishPacket, broker: AedesClient['broker']): Outgoing {
  const source = original as AedesPublishPacket & Partial<Outgoing>;
  const copy: Outgoing = {
    cmd: 'publish',
    brokerId: source.brokerId || broker.id,
    brokerCounter: source.brokerCounter || ++broker.counter,
    topic: source.topic,
    payload: (source.payload as Buffer | undefined) || Buffer.alloc(0),
    qos: source.qos || 0,
    retain: source.retain || false,
    dup: source.dup || false,
  };
  if (source.clientId !== undefined) copy.clientId = source.clientId;
  if (source.nl !== undefined) copy.nl = source.nl;
  if (source.properties !== undefined) copy.properties = source.properties;
  if (source.messageExpiry !== undefined) copy.messageExpiry = source.messageExpiry;
  return copy;
}
