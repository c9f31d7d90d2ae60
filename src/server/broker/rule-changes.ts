import type { AclRule } from '../../shared/acl';

/**
 * Rule changes a connection may have missed. Its rules are read while it authenticates,
 * but an admin's change reaches only registered connections (live-acl.ts): one changed
 * after the read and before aedes registers the connection would leave it on the old rules
 * for as long as it stays connected. So each CONNECT notes the last change it could have
 * seen, and registration applies any change made since.
 */
export class RuleChanges {
  private seq = 0;
  /** The latest rules of each user whose rules changed since the broker started. */
  private readonly latest = new Map<string, { rules: AclRule[]; seq: number }>();
  private readonly seen = new WeakMap<object, number>();

  /** At CONNECT, before the credentials (and with them the rules) are read. */
  connecting(client: object): void {
    this.seen.set(client, this.seq);
  }

  changed(org: string, user: string, rules: readonly AclRule[]): void {
    this.latest.set(userKey(org, user), { rules: [...rules], seq: ++this.seq });
  }

  /** The user's rules if they changed after `client`'s CONNECT began; null if not. */
  missedBy(client: object, org: string, user: string): AclRule[] | null {
    const seen = this.seen.get(client);
    const latest = this.latest.get(userKey(org, user));
    if (seen === undefined || !latest || latest.seq <= seen) return null;
    return [...latest.rules];
  }
}

const userKey = (org: string, user: string) => `${org}\0${user}`;
