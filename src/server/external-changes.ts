import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { Broker } from './broker/broker';
import { getIdentity, passwordStamp, type ClientIdentity } from './broker/client-identity';
import type { Storage } from './storage';

/** How often the database is asked whether another process (the CLI) has changed it. */
export const EXTERNAL_CHANGES_POLL_MS = 1_000;

/**
 * The CLI writes to the same database as a running server, and the broker checks users and
 * tokens only at CONNECT: a user the CLI disabled or removed, whose tokens it revoked or
 * whose password it changed, kept their open connections, and their states stayed on every
 * board. Here, whenever a user or a token has changed, every live connection is checked
 * again and those no longer allowed are closed; then, as the admin console does when it
 * disables or removes a user, a disabled user's presence left online turns offline and a
 * removed user's last-known states are cleared (the console's own changes have done all
 * that already, so then this finds nothing to do). One small read a second when nothing
 * changed; chat and checkpoints do not count.
 */
export function closeConnectionsChangedElsewhere(
  storage: Storage,
  broker: Pick<Broker, 'aedes' | 'admin' | 'disconnect'>,
  logger: Logger,
  intervalMs = EXTERNAL_CHANGES_POLL_MS,
): () => void {
  let seen = storage.accessVersion();
  const users = new UsersSeen(storage);
  const onClient = (client: Client) => {
    const identity = getIdentity(client);
    if (!identity) return;
    try {
      users.connected(identity.org, identity.user);
    } catch (error) {
      logger.error({ event: 'user_read_failed', err: error }, 'a connecting user not read');
    }
  };
  broker.aedes.on('client', onClient);

  const timer = setInterval(() => {
    const version = storage.accessVersion();
    if (version === seen) return;
    seen = version;
    const closed = broker.disconnect((identity) => !stillAllowed(storage, identity));
    if (closed > 0) {
      logger.info(
        { event: 'connections_closed_after_external_change', count: closed },
        'closed connections of users changed from outside the server',
      );
    }
    // After the close, so that nothing of theirs says online after it (a will says offline).
    const { removed, disabled } = users.changes();
    void catchUp(broker.admin, removed, disabled, logger).catch((error: unknown) =>
      logger.error(
        { event: 'external_change_not_applied', err: error },
        'last-known states of users changed from outside the server not updated',
      ),
    );
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    broker.aedes.off('client', onClient);
  };
}

function stillAllowed(storage: Storage, identity: ClientIdentity): boolean {
  const user = storage.users.getUser(identity.org, identity.user);
  // Removed, disabled, or removed and created again under the same id since it connected.
  if (!user || user.disabled || user.createdAt > identity.connectedAt) return false;
  // Signed in with a password that is no longer the user's (`user passwd`).
  if (identity.passwordStamp !== null)
    return identity.passwordStamp === passwordStamp(user.passwordHash);
  return identity.jti === null || !storage.tokens.isRevoked(identity.jti);
}

interface UserRef {
  org: string;
  user: string;
}

/** What the admin console's DELETE and disable do to the broker (users.ts). */
async function catchUp(
  admin: Broker['admin'],
  removed: UserRef[],
  disabled: UserRef[],
  logger: Logger,
): Promise<void> {
  for (const { org, user } of removed) {
    const count = await admin.clearLastKnown(org, user);
    // Their away persistent sessions would keep queueing messages for nobody.
    const sessions = await admin.forgetUser(org, user);
    if (count > 0 || sessions > 0) {
      logger.info(
        { event: 'last_known_cleared_after_external_change', org, user, count, sessions },
        'cleared the last-known states and stored sessions of a user removed from outside the server',
      );
    }
  }
  for (const { org, user } of disabled) {
    const count = await admin.markOffline(org, user);
    if (count > 0) {
      logger.info(
        { event: 'presence_offline_after_external_change', org, user, count },
        'marked offline the presence a user disabled from outside the server left online',
      );
    }
  }
}

interface Seen {
  createdAt: number;
  disabled: boolean;
}

/**
 * Every user as the server last read them, org by org, to tell who was removed or disabled
 * since. Only users it saw: a retained state under an id that is no user (an ACL rule may
 * let a bridge keep one) is not theirs to clear. Adding a user does not move the access
 * version, so the list is read again only when it moves; a user added since who connects
 * is noted then (otherwise one added, run and removed between two moves went unseen).
 */
class UsersSeen {
  private seen: Map<string, Map<string, Seen>>;

  constructor(private readonly storage: Storage) {
    this.seen = this.read();
  }

  /** A connection of this user was accepted: noted, if the user is new to the list. */
  connected(org: string, user: string): void {
    if (this.seen.get(org)?.has(user)) return;
    const record = this.storage.users.getUser(org, user);
    if (!record) return;
    let users = this.seen.get(org);
    if (!users) this.seen.set(org, (users = new Map()));
    // Enabled when its credentials were read, or it would have been refused: disabled since,
    // it is one to mark offline.
    users.set(user, { createdAt: record.createdAt, disabled: false });
  }

  /**
   * Who, of those seen, has been removed (or removed and created again) or disabled since
   * the last call; reads every org's users, and keeps them for the next.
   */
  changes(): { removed: UserRef[]; disabled: UserRef[] } {
    const now = this.read();
    const removed: UserRef[] = [];
    const disabled: UserRef[] = [];
    for (const [org, users] of this.seen) {
      for (const [user, before] of users) {
        const after = now.get(org)?.get(user);
        if (after?.createdAt !== before.createdAt) removed.push({ org, user });
        else if (after.disabled && !before.disabled) disabled.push({ org, user });
      }
    }
    this.seen = now;
    return { removed, disabled };
  }

  private read(): Map<string, Map<string, Seen>> {
    const all = new Map<string, Map<string, Seen>>();
    for (const org of this.storage.users.listOrgs()) {
      const users = new Map<string, Seen>();
      for (const { user, createdAt, disabled } of this.storage.users.listUsers(org))
        users.set(user, { createdAt, disabled });
      all.set(org, users);
    }
    return all;
  }
}
