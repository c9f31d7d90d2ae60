import type { CurrentUser } from './broker/broker-admin';
import type { ClientIdentity } from './broker/client-identity';
import type { Storage } from './storage';

/**
 * The client ids each user's connections have used, with when they last connected: of a
 * user removed and created again, those that connected since the new creation are the new
 * user's, whose sessions and states stay (external-changes.ts). aedes keeps neither owner
 * nor creation time with a session or a retained message, so only the server can tell.
 */
export class UsersSeen {
  /** By `user@org`: when each client id last connected. */
  private connections = new Map<string, Map<string, number>>();

  constructor(private readonly storage: Pick<Storage, 'users'>) {}

  /** A connection of this user was accepted. */
  connected({ org, user, clientId, connectedAt }: ClientIdentity): void {
    const key = `${user}@${org}`;
    let clientIds = this.connections.get(key);
    if (!clientIds) this.connections.set(key, (clientIds = new Map()));
    clientIds.set(clientId, Math.max(clientIds.get(clientId) ?? connectedAt, connectedAt));
  }

  /** The user under the id now (read now), with the client ids connected since created. */
  current(org: string, user: string): ReturnType<CurrentUser> {
    const record = this.storage.users.getUser(org, user);
    if (!record) return undefined;
    const clientIds = new Set<string>();
    for (const [clientId, at] of this.connections.get(`${user}@${org}`) ?? [])
      if (at >= record.createdAt) clientIds.add(clientId);
    return { createdAt: record.createdAt, clientIds };
  }

  /** Forgets the connections noted before `at` (ms since the epoch). */
  forgetConnectionsBefore(at: number): void {
    for (const [key, clientIds] of this.connections) {
      for (const [clientId, connectedAt] of clientIds) {
        if (connectedAt < at) clientIds.delete(clientId);
      }
      if (clientIds.size === 0) this.connections.delete(key);
    }
  }
}
