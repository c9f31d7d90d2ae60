import { createHash } from 'node:crypto';
import type { Client } from 'aedes';
import type { AclRule } from '../../shared/acl';

/** Who an authenticated connection belongs to; attached at CONNECT. */
export interface Principal {
  org: string;
  user: string;
  rules: AclRule[];
  /** The JWT id when the connection used a temporary token; null for a password. */
  jti: string | null;
  /** When the token expires (ms since the epoch); null for a password. */
  expiresAt: number | null;
  /**
   * Which password it signed in with (`passwordStamp` of the stored hash); null for a token.
   * A password changed since, by the CLI or an admin, closes it (external-changes.ts).
   */
  passwordStamp: string | null;
}

/**
 * Names the password a stored hash was made from, to tell later whether it has changed.
 * Each hash has its own salt, so a new password, even the same one set again, changes it.
 * A digest of the hash rather than the hash: an identity may end up in a log, and without
 * the salt the digest is no help in guessing the password.
 */
export function passwordStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url');
}

export interface ClientIdentity extends Principal {
  /** The client id as the client chose it (the broker keys sessions by the mounted one). */
  clientId: string;
  connectedAt: number;
  /**
   * Whether live deliveries are checked one by one: a subscription was granted with part of
   * it excluded (a deny rule covering some of its topics, evaluateSubscribe), or the rules
   * changed while connected (live-acl.ts). Once set it stays set for the connection.
   */
  checksDeliveries: boolean;
  /**
   * Being closed by the server for cause (broker.ts, `disconnect`: a kick, a revoked token,
   * a user disabled or changed). One still being set up by aedes (pending-connections.ts)
   * is refused every publish, subscription and delivery until it is closed at
   * registration, and nothing of its session is touched. Either way its Last Will may say
   * only its own state (authorize-publish.ts).
   */
  closing: boolean;
}

const identities = new WeakMap<Client, ClientIdentity>();

export function setIdentity(client: Client, identity: ClientIdentity): void {
  identities.set(client, identity);
}

export function getIdentity(client: Client | null | undefined): ClientIdentity | undefined {
  return client ? identities.get(client) : undefined;
}
