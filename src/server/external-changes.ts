import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { Recreated } from './broker/broker-admin';
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
 *
 * Returns the stop, which resolves once the catch-up under way has ended: called before the
 * broker closes (app.ts), so that nothing is published into a closed one.
 */
export function closeConnectionsChangedElsewhere(
  storage: Storage,
  broker: Pick<Broker, 'aedes' | 'admin' | 'disconnect'>,
  logger: Logger,
  intervalMs = EXTERNAL_CHANGES_POLL_MS,
): () => Promise<void> {
  let seen = storage.accessVersion();
  const users = new UsersSeen(storage);
  const onClient = (client: Client) => {
    const identity = getIdentity(client);
    if (!identity) return;
    try {
      users.connected(identity.org, identity.user, identity.connectedAt);
    } catch (error) {
      logger.error({ event: 'user_read_failed', err: error }, 'a connecting user not read');
    }
  };
  broker.aedes.on('client', onClient);
  // One catch-up at a time, in order; the broker closes only once the last has ended.
  let catchingUp = Promise.resolve();

  const check = () => {
    const version = storage.accessVersion();
    if (version === seen) return;
    const closed = broker.disconnect((identity) => !stillAllowed(storage, identity));
    if (closed > 0) {
      logger.info(
        { event: 'connections_closed_after_external_change', count: closed },
        'closed connections of users changed from outside the server',
      );
    }
    // After the close, so that nothing of theirs says online after it (a will says offline).
    const { removed, disabled } = users.changes();
    // Only now: had a read failed, the next tick would look at this change again.
    seen = version;
    catchingUp = catchingUp.then(() =>
      catchUp(broker.admin, removed, disabled, logger).catch((error: unknown) =>
        logger.error(
          { event: 'external_change_not_applied', err: error },
          'last-known states of users changed from outside the server not updated',
        ),
      ),
    );
  };
  const timer = setInterval(() => {
    // Thrown out of a timer, a failed read (a locked or unreadable database) ends the process.
    try {
      check();
    } catch (error) {
      logger.error(
        { event: 'external_change_check_failed', err: error },
        'users changed from outside the server not checked; tried again at the next tick',
      );
    }
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    broker.aedes.off('client', onClient);
    await catchingUp;
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

interface RemovedUser extends UserRef {
  /** Set when a user is there again under the id, created since. */
  recreated?: Recreated;
}

/** What the admin console's DELETE and disable do to the broker (users.ts). */
async function catchUp(
  admin: Broker['admin'],
  removed: RemovedUser[],
  disabled: UserRef[],
  logger: Logger,
): Promise<void> {
  for (const { org, user, recreated } of removed) {
    // What the new user's connections have set since stays (broker-admin.ts).
    const count = await admin.clearLastKnown(org, user, recreated);
    // Their away persistent sessions would keep queueing messages for nobody.
    const sessions = await admin.forgetUser(org, user, recreated);
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

interface Seen extends UserRef {
  createdAt: number;
  disabled: boolean;
  /** When the newest connection accepted since the users were read connected, if one was. */
  connectedAt?: number;
}

/**
 * Every user as the server last read them, to tell who was removed or disabled since. Only
 * users it saw: a retained state under an id that is no user (an ACL rule may let a bridge
 * keep one) is not theirs to clear. Adding a user does not move the access version, so the
 * list is read again only when it moves; a user added since who connects is noted then
 * (otherwise one added, run and removed between two moves went unseen).
 */
class UsersSeen {
  /** By `user@org`. */
  private seen: Map<string, Seen>;

  constructor(private readonly storage: Storage) {
    this.seen = this.read();
  }

  /** A connection of this user was accepted: noted, and the user read if new to the list. */
  connected(org: string, user: string, connectedAt: number): void {
    const known = this.seen.get(`${user}@${org}`);
    if (known) {
      // Enabled at its CONNECT, or it would have been refused: disabled again before the
      // next read (enabled, connected, left without a will and disabled between two), the
      // user is one to mark offline, though both reads said disabled.
      known.disabled = false;
      // Connected after a removal and creation anew not read yet: the new user's.
      known.connectedAt = Math.max(known.connectedAt ?? connectedAt, connectedAt);
      return;
    }
    const record = this.storage.users.getUser(org, user);
    if (!record) return;
    this.seen.set(`${user}@${org}`, {
      org,
      user,
      createdAt: record.createdAt,
      disabled: false,
      connectedAt,
    });
  }

  /**
   * Who, of those seen, has been removed (or removed and created again) or disabled since
   * the last call; reads every org's users, and keeps them for the next. Throws, and keeps
   * what it had, when the read fails.
   */
  changes(): { removed: RemovedUser[]; disabled: UserRef[] } {
    const now = this.read();
    const removed: RemovedUser[] = [];
    const disabled: UserRef[] = [];
    for (const [key, { org, user, ...before }] of this.seen) {
      const after = now.get(key);
      if (!after) removed.push({ org, user });
      else if (after.createdAt !== before.createdAt) {
        // A connection that came after the new user's creation was accepted for them.
        const connectedSince = (before.connectedAt ?? -Infinity) >= after.createdAt;
        removed.push({ org, user, recreated: { connectedSince } });
      } else if (after.disabled && !before.disabled) disabled.push({ org, user });
    }
    this.seen = now;
    return { removed, disabled };
  }

  private read(): Map<string, Seen> {
    const all = new Map<string, Seen>();
    for (const { org, user, createdAt, disabled } of this.storage.users.listAllUsers())
      all.set(`${user}@${org}`, { org, user, createdAt, disabled });
    return all;
  }
}
