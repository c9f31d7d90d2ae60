import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { CurrentUser } from './broker/broker-admin';
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
      users.connected(identity);
    } catch (error) {
      logger.error({ event: 'user_read_failed', err: error }, 'a connecting user not read');
    }
  };
  broker.aedes.on('client', onClient);
  // One catch-up at a time, in order; the broker closes only once the last has ended.
  let catchingUp = Promise.resolve();
  let catchUpsDue = 0;
  // Failed reads in a row: the first and the recovery are logged, not every tick between.
  let failedChecks = 0;

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
    const { removed, disabled } = users.changes(catchUpsDue === 0);
    // Only now: had a read failed, the next tick would look at this change again.
    seen = version;
    // It may run a while later: whether the id has a new user, and what their connections
    // have used, is read again before each step (UsersSeen.current).
    const current = (org: string, user: string) => () => users.current(org, user);
    catchUpsDue++;
    catchingUp = catchingUp
      .then(() => catchUp(broker.admin, removed, disabled, current, logger))
      .finally(() => catchUpsDue--);
  };
  const timer = setInterval(() => {
    // Thrown out of a timer, a failed read (a locked or unreadable database) ends the process.
    try {
      check();
      if (failedChecks > 0) {
        logger.info(
          { event: 'external_change_check_recovered', failedChecks },
          'users changed from outside the server checked again',
        );
        failedChecks = 0;
      }
    } catch (error) {
      if (failedChecks++ === 0) {
        logger.error(
          { event: 'external_change_check_failed', err: error },
          'users changed from outside the server not checked; tried again each tick, logged once recovered',
        );
      }
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

/**
 * What the admin console's DELETE and disable do to the broker (users.ts). Each step of
 * each user is tried on its own: the poll has moved past this change, so one that failed
 * and stopped the rest would leave them undone for good.
 */
async function catchUp(
  admin: Broker['admin'],
  removed: UserRef[],
  disabled: UserRef[],
  current: (org: string, user: string) => CurrentUser,
  logger: Logger,
): Promise<void> {
  const step = async (what: string, org: string, user: string, run: () => Promise<number>) => {
    try {
      return await run();
    } catch (error) {
      logger.error(
        { event: 'external_change_not_applied', what, org, user, err: error },
        'a user changed from outside the server not caught up with in the broker',
      );
      return 0;
    }
  };
  for (const { org, user } of removed) {
    // What a new user under the id has set or left since stays (broker-admin.ts).
    const count = await step('clear_last_known', org, user, () =>
      admin.clearLastKnown(org, user, current(org, user)),
    );
    // Their away persistent sessions would keep queueing messages for nobody.
    const sessions = await step('forget_user', org, user, () =>
      admin.forgetUser(org, user, current(org, user)),
    );
    if (count > 0 || sessions > 0) {
      logger.info(
        { event: 'last_known_cleared_after_external_change', org, user, count, sessions },
        'cleared the last-known states and stored sessions of a user removed from outside the server',
      );
    }
  }
  for (const { org, user } of disabled) {
    const count = await step('mark_offline', org, user, () => admin.markOffline(org, user));
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
class UsersSeen {
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

  private read(): Map<string, Seen> {
    const all = new Map<string, Seen>();
    for (const { org, user, createdAt, disabled } of this.storage.users.listAllUsers())
      all.set(`${user}@${org}`, { org, user, createdAt, disabled });
    return all;
  }
}
