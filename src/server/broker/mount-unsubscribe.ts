import type { EventEmitter } from 'node:events';
import type { Client } from 'aedes';
import { validateTopicFilter } from '../../shared/topic-filter';
import { getIdentity } from './client-identity';
import { mountTopic } from './mount-point';
import { releaseFilters } from './subscription-limit';

// A SUBSCRIBE's filters are mounted under the client's org by authorizeSubscribe, so aedes
// keeps the subscription (and a persistent session's stored copy) under the mounted name.
// aedes has no hook for UNSUBSCRIBE: left as the client named them, its filters matched
// nothing, and every subscription stayed (a persistent session went on queueing messages
// on topics it had left). Here an UNSUBSCRIBE's filters are mounted as it is parsed; those
// that arrive before the client is authenticated (sent with its CONNECT) wait in aedes'
// queue until the client is connected, and are mounted just before aedes takes them out.

interface UnsubscribePacket {
  cmd: string;
  unsubscriptions?: string[];
}

interface ParsingClient {
  _parser: EventEmitter & { client: Client };
  prependOnceListener(event: 'connected', listener: () => void): unknown;
}

/** UNSUBSCRIBEs parsed before their client was authenticated, per client. */
const waiting = new WeakMap<Client, UnsubscribePacket[]>();

/** Mounts the client's UNSUBSCRIBE filters; call on each new client, before it is read. */
export function mountUnsubscribes(client: Client): void {
  // One listener for every parser (aedes sets `parser.client`): no closure per connection.
  (client as unknown as ParsingClient)._parser.prependListener('packet', onPacket);
}

function onPacket(this: { client: Client }, packet: UnsubscribePacket): void {
  if (packet.cmd !== 'unsubscribe') return;
  const { client } = this;
  if (getIdentity(client)) {
    mount(client, packet);
    return;
  }
  const packets = waiting.get(client);
  if (packets) {
    packets.push(packet);
    return;
  }
  waiting.set(client, [packet]);
  // aedes handles what arrived before its CONNACK on 'connected' (lib/client.js).
  (client as unknown as ParsingClient).prependOnceListener('connected', () => {
    for (const queued of waiting.get(client) ?? []) mount(client, queued);
    waiting.delete(client);
  });
}

function mount(client: Client, packet: UnsubscribePacket): void {
  const identity = getIdentity(client);
  if (!identity || !packet.unsubscriptions) return;
  // A filter no SUBSCRIBE could have been granted (empty [MQTT-4.7.3-1], too deep, …)
  // stays as it is: it matches nothing either way, and aedes checks it as it did before.
  packet.unsubscriptions = packet.unsubscriptions.map((filter) =>
    validateTopicFilter(filter) ? filter : mountTopic(identity.org, filter),
  );
  releaseFilters(client, packet.unsubscriptions);
}
