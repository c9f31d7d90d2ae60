import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { CurrentUser } from './broker/broker-admin';
import type { Broker } from './broker/broker';
import { getIdentity, passwordStamp, type ClientIdentity } from './broker/client-identity';
import type { Storage } from './storage';
import { UsersSeen, type UserRef } from './users-seen';

/** How often the database is asked whether another process (the CLI) has changed it. */
export const EXTERNAL_CHANGES_POLL_MS = 1_000;
/** How long a connection is remembered for a catch-up after a user is created again. */
export const CONNECTION_NOTES_KEPT_MS = 10 * 60 * 1_000;

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

  let prunedAt = Date.now();
  const check = () => {
    const version = storage.accessVersion();
    if (version === seen) {
      // Notes of connections are read only by catch-ups, within seconds of a change: with
      // no change for long, they would pile up, one per client id that ever connected.
      const now = Date.now();
      if (catchUpsDue === 0 && now - prunedAt >= CONNECTION_NOTES_KEPT_MS) {
        users.forgetConnectionsBefore(now - CONNECTION_NOTES_KEPT_MS);
        prunedAt = now;
      }
      return;
    }
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
