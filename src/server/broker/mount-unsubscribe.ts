import type { EventEmitter } from 'node:events';
import type { Client } from 'aedes';
import { getIdentity } from './client-identity';
import { mountTopic } from './mount-point';

// A SUBSCRIBE's filters are mounted under the client's org by authorizeSubscribe, so aedes
// keeps the subscription (and a persistent session's stored copy) under the mounted name.
// aedes has no hook for UNSUBSCRIBE: left as the client named them, its filters matched
// nothing, and every subscription stayed (a persistent session went on queueing messages
// on topics it had left). Here an UNSUBSCRIBE's filters are mounted as it is parsed; one
// that arrives before the client is authenticated (sent with its CONNECT) waits in aedes'
// queue until the client is connected, and is mounted just before aedes takes it out.

interface UnsubscribePacket {
  cmd: string;
  unsubscriptions?: string[];
}

interface ParsingClient {
  _parser: EventEmitter;
  prependOnceListener(event: 'connected', listener: () => void): unknown;
}

/** Mounts the client's UNSUBSCRIBE filters; call on each new client, before it is read. */
export function mountUnsubscribes(client: Client): void {
  const parsing = client as unknown as ParsingClient;
  parsing._parser.prependListener('packet', (packet: UnsubscribePacket) => {
    if (packet.cmd !== 'unsubscribe' || !packet.unsubscriptions) return;
    if (getIdentity(client)) {
      mount(client, packet);
      return;
    }
    // aedes handles what arrived before its CONNACK on 'connected' (lib/client.js).
    parsing.prependOnceListener('connected', () => mount(client, packet));
  });
}

function mount(client: Client, packet: UnsubscribePacket): void {
  const identity = getIdentity(client);
  if (!identity || !packet.unsubscriptions) return;
  packet.unsubscriptions = packet.unsubscriptions.map((filter) => mountTopic(identity.org, filter));
}
