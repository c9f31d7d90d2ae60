import type { CurrentUser } from './broker/broker-admin';
import type { ClientIdentity } from './broker/client-identity';
import type { Storage } from './storage';

/**
 * The client ids each user's connections have used, with when they last connected: of a
 * user removed and created again, those that connected since the new creation are the new
 * user's, whose sessions and states stay (external-changes.ts). aedes keeps neither owner
 * nor creation time with a session or a retained message, so only the server can tell. In
 * the database (storage/connection-notes.ts), not in memory: a removal still logged when
 * the server stops is caught up with at its next start, and must spare them then too.
 */
export class UsersSeen {
  constructor(private readonly storage: Pick<Storage, 'users' | 'connectionNotes'>) {}

  /** A connection of this user was accepted. */
  connected({ org, user, clientId, connectedAt }: ClientIdentity): void {
    this.storage.connectionNotes.note(org, user, clientId, connectedAt);
  }

  /** The user under the id now (read now), with the client ids connected since created. */
  current(org: string, user: string): ReturnType<CurrentUser> {
    const record = this.storage.users.getUser(org, user);
    if (!record) return undefined;
    const clientIds = this.storage.connectionNotes.clientIdsSince(org, user, record.createdAt);
    return { createdAt: record.createdAt, clientIds };
  }

  /**
   * Forgets the connections noted before `at` (ms since the epoch), but those of users with
   * a removal still to catch up with; returns how many.
   */
  forgetConnectionsBefore(at: number): number {
    return this.storage.connectionNotes.prune(at);
  }
}
