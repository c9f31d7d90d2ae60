import type { TLSSocket } from 'node:tls';
import type { Client } from 'aedes';
import { addressOf } from './client-address';
import type { ClientIdentity } from './client-identity';
import { subscriptionsOf } from './live-acl';
import { unmountTopic } from './mount-point';
import type { BrokerPersistence } from './persistence';

// Counting a queue walks it; past this the console shows "at least".
export const MAX_QUEUE_COUNT = 10_000;

export interface LiveSession {
  /** As the client chose it. */
  clientId: string;
  user: string;
  address: string;
  transport: 'ws' | 'tcp';
  /** TLS (wss:// or mqtts://). */
  secure: boolean;
  /** 4 = MQTT 3.1.1, 3 = MQTT 3.1 */
  protocolVersion: number;
  /** Clean session off: subscriptions and QoS 1/2 messages outlive the connection. */
  persistent: boolean;
  /** ms since the epoch */
  connectedAt: number;
  /** The token's id when the connection used one; null for a password. */
  jti: string | null;
  /** When its token expires and the broker closes it (ms); null for a password. */
  expiresAt: number | null;
  /** Client-side filters, sorted. */
  subscriptions: string[];
  /** QoS 1/2 messages stored for the session and not yet acknowledged (0 when clean). */
  queued: number;
}

export interface StoredSession {
  clientId: string;
  user: string;
  subscriptions: string[];
  /** QoS 1/2 messages waiting for the client to come back (capped at MAX_QUEUE_COUNT). */
  queued: number;
}

export async function describeLive(
  client: Client,
  identity: ClientIdentity,
  persistence: BrokerPersistence,
): Promise<LiveSession> {
  const socket = (client.req?.socket ?? client.conn) as Partial<TLSSocket>;
  return {
    clientId: identity.clientId,
    user: identity.user,
    address: addressOf(client),
    transport: client.req ? 'ws' : 'tcp',
    secure: socket.encrypted === true,
    protocolVersion: client.version,
    persistent: !client.clean,
    connectedAt: identity.connectedAt,
    jti: identity.jti,
    expiresAt: identity.expiresAt,
    subscriptions: clientSideFilters(identity.org, subscriptionsOf(client)),
    queued: client.clean ? 0 : await countQueued(persistence, client.id),
  };
}

/** The inverse of mountClientId: `<org>:<user>:<client id>`. */
export function parseMountedClientId(
  mounted: string,
): { org: string; user: string; clientId: string } | null {
  const first = mounted.indexOf(':');
  const second = mounted.indexOf(':', first + 1);
  if (first < 1 || second < first + 2) return null;
  return {
    org: mounted.slice(0, first),
    user: mounted.slice(first + 1, second),
    clientId: mounted.slice(second + 1),
  };
}

/** The org's persistent sessions stored by the broker whose client is not connected. */
export async function describeStored(
  org: string,
  persistence: BrokerPersistence,
  connected: ReadonlySet<string>,
): Promise<StoredSession[]> {
  const sessions: StoredSession[] = [];
  for (const mounted of await persistence.storedClientIds()) {
    const parsed = parseMountedClientId(mounted);
    if (parsed?.org !== org || connected.has(mounted)) continue;
    const subscriptions = await persistence.subscriptionsByClient({ id: mounted });
    sessions.push({
      clientId: parsed.clientId,
      user: parsed.user,
      subscriptions: clientSideFilters(
        org,
        subscriptions.map((s) => s.topic),
      ),
      queued: await countQueued(persistence, mounted),
    });
  }
  return sessions.sort(
    (a, b) => a.user.localeCompare(b.user) || a.clientId.localeCompare(b.clientId),
  );
}

function clientSideFilters(org: string, mounted: string[]): string[] {
  return mounted
    .map((filter) => unmountTopic(org, filter))
    .filter((filter): filter is string => filter !== null)
    .sort();
}

async function countQueued(persistence: BrokerPersistence, id: string): Promise<number> {
  const stream = persistence.outgoingStream({ id });
  let count = 0;
  stream.on('data', () => {
    if (++count >= MAX_QUEUE_COUNT) stream.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  return count;
}
