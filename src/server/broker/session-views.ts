import type { TLSSocket } from 'node:tls';
import type { Client } from 'aedes';
import { addressOf, upgradeOf } from './client-address';
import type { ClientIdentity } from './client-identity';
import { subscriptionsOf } from './live-acl';
import { parseMountedClientId, unmountTopic } from './mount-point';
import type { BrokerPersistence } from './persistence';
import { MAX_QUEUE_COUNT, type LiveSession, type StoredSession } from '../../shared/admin-api';

export { MAX_QUEUE_COUNT, type LiveSession, type StoredSession };

export async function describeLive(
  client: Client,
  identity: ClientIdentity,
  persistence: BrokerPersistence,
): Promise<LiveSession> {
  const upgrade = upgradeOf(client);
  const socket = (upgrade?.socket ?? client.conn) as Partial<TLSSocket>;
  return {
    clientId: identity.clientId,
    user: identity.user,
    address: addressOf(client),
    transport: upgrade ? 'ws' : 'tcp',
    // WSS to a TLS-terminating proxy in TRUST_PROXY is WSS too: the leg the client sees.
    secure: upgrade?.secure ?? socket.encrypted === true,
    protocolVersion: client.version,
    persistent: !client.clean,
    connectedAt: identity.connectedAt,
    jti: identity.jti,
    expiresAt: identity.expiresAt,
    subscriptions: clientSideFilters(identity.org, subscriptionsOf(client)),
    queued: client.clean ? 0 : await countQueued(persistence, client.id),
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
      lastSeenAt: (await persistence.lastSeen(mounted)) ?? null,
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

/**
 * Messages in flight in memory and queued on disk, up to MAX_QUEUE_COUNT. Read without
 * `outgoingStream`, which would write a live session's in-flight messages to disk first.
 */
async function countQueued(persistence: BrokerPersistence, id: string): Promise<number> {
  const stream = persistence.outgoing.storedStream({ id });
  let count = persistence.outgoing.heldFor(id);
  if (count >= MAX_QUEUE_COUNT) stream.destroy();
  stream.on('data', () => {
    if (++count >= MAX_QUEUE_COUNT) stream.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  return count;
}
