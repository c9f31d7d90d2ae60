import type { CurrentUser } from './broker/broker-admin';
import type { ClientIdentity } from './broker/client-identity';
import type { Storage } from './storage';

// Who the server last saw in the users table, and which client ids their connections used:
// what external-changes.ts compares to tell who the CLI removed, created again or disabled.

export interface UserRef {
  org: string;
  user: string;
}

interface Seen extends UserRef {
  createdAt: number;
  disabled: boolean;
}

/**
 * Every user as the server last read them, to tell who was removed or disabled since. Only
 * users it saw: a retained state under an id that is no user (an ACL rule may let a bridge
 * keep one) is not theirs to clear. Adding a user does not move the access version, so the
 * list is read again only when it moves; a user added since who connects is noted then
 * (otherwise one added, run and removed between two moves went unseen).
 *
 * It also notes the client ids each user's connections use, with when they connected: of a
 * user removed and created again, those that connected since the new creation are the new
 * user's, whose sessions and states stay.
 */
export class UsersSeen {
  /** By `user@org`. */
  private seen: Map<string, Seen>;
  /** By `user@org`: when each client id last connected. */
  private connections = new Map<string, Map<string, number>>();

  constructor(private readonly storage: Storage) {
    this.seen = this.read();
  }

  /** A connection of this user was accepted: noted, and the user read if new to the list. */
  connected({ org, user, clientId, connectedAt }: ClientIdentity): void {
    const key = `${user}@${org}`;
    let clientIds = this.connections.get(key);
    if (!clientIds) this.connections.set(key, (clientIds = new Map()));
    clientIds.set(clientId, Math.max(clientIds.get(clientId) ?? connectedAt, connectedAt));
    const known = this.seen.get(key);
    if (known) {
      // Enabled at its CONNECT, or it would have been refused: disabled again before the
      // next read (enabled, connected, left without a will and disabled between two), the
      // user is one to mark offline, though both reads said disabled.
      known.disabled = false;
      return;
    }
    const record = this.storage.users.getUser(org, user);
    if (!record) return;
    this.seen.set(key, { org, user, createdAt: record.createdAt, disabled: false });
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

  /**
   * Who, of those seen, has been removed (or removed and created again) or disabled since
   * the last call; reads every org's users, and keeps them for the next. Throws, and keeps
   * what it had, when the read fails. `idle`: no catch-up is still to run.
   */
  changes(idle: boolean): { removed: UserRef[]; disabled: UserRef[] } {
    const now = this.read();
    const removed: UserRef[] = [];
    const disabled: UserRef[] = [];
    for (const [key, { org, user, ...before }] of this.seen) {
      const after = now.get(key);
      if (!after || after.createdAt !== before.createdAt) removed.push({ org, user });
      else if (after.disabled && !before.disabled) disabled.push({ org, user });
    }
    // Only connections since the creation of the user there now can matter. Those of a user
    // unchanged since the last read came before any later creation anew: they go too, so
    // the notes do not grow for ever, once no catch-up is left (one still to run may be for
    // an earlier removal of this user, and then they are the new user's).
    for (const [key, clientIds] of this.connections) {
      const after = now.get(key);
      const unchanged = this.seen.get(key)?.createdAt === after?.createdAt;
      if (!after || (idle && unchanged)) {
        this.connections.delete(key);
        continue;
      }
      for (const [clientId, at] of clientIds) if (at < after.createdAt) clientIds.delete(clientId);
    }
    this.seen = now;
    return { removed, disabled };
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

  private read(): Map<string, Seen> {
    const all = new Map<string, Seen>();
    for (const { org, user, createdAt, disabled } of this.storage.users.listAllUsers())
      all.set(`${user}@${org}`, { org, user, createdAt, disabled });
    return all;
  }
}
