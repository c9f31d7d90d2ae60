import type { Client } from 'aedes';
import type { AclRule } from '../../shared/acl';
import type { ClientIdentity } from './client-identity';
import { giveRules } from './live-acl';

/** What a connection's registration must do about what happened while it was pending. */
export interface Registration {
  /** Rules changed since its CONNECT read them: prune its restored subscriptions. */
  rulesChanged: boolean;
  /** Disconnected by an admin meanwhile: close it now. */
  close: boolean;
}

/**
 * Connections whose credentials aedes has accepted but that it has not registered yet:
 * it is still restoring their session (fetching and re-authorizing stored subscriptions,
 * storing the will). An admin's rule change or disconnect, and session expiry, must reach
 * these as well as the registered ones (broker.ts, broker-admin.ts).
 *
 * One disconnected here is not closed at once: closing in the middle of aedes' set-up can
 * stall it for good. It is marked `closing` (every hook then refuses it everything, and
 * touches nothing of its session) and closed when it registers.
 */
export class PendingConnections {
  private readonly pending = new Map<Client, ClientIdentity>();
  private readonly rulesChanged = new WeakSet<Client>();

  /** Its credentials and rules were read (authenticate.ts, onIdentified). */
  identified(client: Client, identity: ClientIdentity): void {
    // One closed before registering may never be reported gone: dropped here.
    for (const other of this.pending.keys()) if (other.closed) this.pending.delete(other);
    this.pending.set(client, identity);
  }

  /** aedes registered it: no longer pending. */
  registered(client: Client): Registration {
    const identity = this.pending.get(client);
    this.pending.delete(client);
    return {
      rulesChanged: this.rulesChanged.has(client),
      close: identity?.closing === true,
    };
  }

  /** It went (or failed) before registering. */
  gone(client: Client): void {
    this.pending.delete(client);
  }

  /** Gives `user`'s pending connections new rules; how many. */
  giveRules(org: string, user: string, rules: readonly AclRule[]): number {
    let count = 0;
    for (const [client, identity] of this.open()) {
      if (identity.org !== org || identity.user !== user) continue;
      giveRules(identity, rules);
      this.rulesChanged.add(client);
      count++;
    }
    return count;
  }

  /** Marks those `match` picks to close at registration; how many. */
  closeMatching(match: (identity: ClientIdentity) => boolean): number {
    let count = 0;
    for (const [, identity] of this.open()) {
      if (identity.closing || !match(identity)) continue;
      identity.closing = true;
      count++;
    }
    return count;
  }

  /** The identities of those still open and not marked to close. */
  *identities(): Generator<ClientIdentity> {
    for (const [, identity] of this.open()) if (!identity.closing) yield identity;
  }

  /** The (mounted) ids of those still open. */
  ids(): string[] {
    return [...this.open()].map(([client]) => client.id);
  }

  private *open(): Generator<[Client, ClientIdentity]> {
    for (const entry of this.pending) if (!entry[0].closed) yield entry;
  }
}
