import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { CurrentUser } from './broker/broker-admin';
import type { Broker } from './broker/broker';
import { getIdentity, passwordStamp, type ClientIdentity } from './broker/client-identity';
import type { Storage, UserChange } from './storage';
import { UsersSeen } from './users-seen';

/** How often the database is asked whether another process (the CLI) has changed it. */
export const EXTERNAL_CHANGES_POLL_MS = 1_000;
/** How long a connection is remembered for a catch-up after a user is created again. */
export const CONNECTION_NOTES_KEPT_MS = 10 * 60 * 1_000;
/** Entries of the user change log read in one tick (about 2 ms); more, at the next tick. */
export const USER_CHANGES_PER_CHECK = 1_000;

/**
 * The CLI writes to the same database as a running server, and the broker checks users and
 * tokens only at CONNECT: a user the CLI disabled or removed, whose tokens it revoked or
 * whose password it changed, kept their open connections, and their states stayed on every
 * board. Here, whenever a user or a token has changed, every live connection is checked
 * again and those no longer allowed are closed; then, as the admin console does when it
 * disables or removes a user, a disabled user's presence left online turns offline and a
 * removed user's last-known states are cleared (the console's own changes have done all
 * that already, so then this finds nothing to do). Who was removed or disabled is read from
 * the log triggers write (storage/user-change-log.ts), which also holds what the CLI did
 * while the server was down: those are caught up with at once, as the server starts. One
 * small read a second when nothing changed; chat and checkpoints do not count.
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
    if (identity) users.connected(identity);
  };
  broker.aedes.on('client', onClient);
  // One catch-up at a time, in order; the broker closes only once the last has ended.
  let catchingUp = Promise.resolve();
  let catchUpsDue = 0;
  // The last entry of the log handed to a catch-up. From 0 at each start: entries still
  // there are changes made while the server was down, or not all caught up with before.
  let cursor = 0;
  // Entries may be waiting though the version has not moved: at the start, after a read
  // that failed, and after a read that took as many as it may.
  let logPending = true;
  // Failed reads in a row: the first and the recovery are logged, not every tick between.
  let failedChecks = 0;

  // Deleted once caught up with, not before: a server stopped or crashed half-way catches
  // up with them again at its next start (each step does nothing the second time).
  const apply = async (changes: UserChange[]) => {
    const current = (org: string, user: string) => () => users.current(org, user);
    const failed = await catchUp(broker.admin, changes, current, logger);
    try {
      storage.userChanges.remove(changes.filter(({ seq }) => !failed.has(seq)).map((c) => c.seq));
    } catch (error) {
      logger.error(
        { event: 'user_changes_not_removed', err: error },
        'users changed from outside the server caught up with, but still logged: caught up with again at the next start',
      );
    }
  };

  let prunedAt = Date.now();
  const check = () => {
    // Notes of connections are read only by catch-ups, within seconds of a change: with no
    // change for long, they would pile up, one per client id that ever connected.
    const now = Date.now();
    if (catchUpsDue === 0 && now - prunedAt >= CONNECTION_NOTES_KEPT_MS) {
      users.forgetConnectionsBefore(now - CONNECTION_NOTES_KEPT_MS);
      prunedAt = now;
    }
    const version = storage.accessVersion();
    if (version !== seen) {
      const closed = broker.disconnect((identity) => !stillAllowed(storage, identity));
      if (closed > 0) {
        logger.info(
          { event: 'connections_closed_after_external_change', count: closed },
          'closed connections of users changed from outside the server',
        );
      }
      // Only now: had a read failed, the next tick would look at this change again.
      seen = version;
      logPending = true;
    }
    if (!logPending) return;
    // After the close, so that nothing of theirs says online after it (a will says offline).
    const changes = storage.userChanges.after(cursor, USER_CHANGES_PER_CHECK);
    logPending = changes.length === USER_CHANGES_PER_CHECK;
    const last = changes.at(-1);
    if (!last) return;
    cursor = last.seq;
    catchUpsDue++;
    catchingUp = catchingUp.then(() => apply(changes)).finally(() => catchUpsDue--);
  };
  const checkLogged = () => {
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
  };
  // At once: what changed while the server was down is queued before the server listens
  // (app.ts calls this once the broker is up); connections that come during its catch-up
  // are noted, as during any other.
  checkLogged();
  const timer = setInterval(checkLogged, intervalMs);
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
 * What the admin console's DELETE and disable do to the broker (users.ts), change by change
 * in the log's order. Each step of each change is tried on its own, and one that fails
 * stops nothing else. Returns the changes a step of which failed: they stay in the log, and
 * are tried again at the next start, not in this run (one that fails for good, on a broken
 * store, would be tried and logged again at every change, or every tick, until then).
 */
async function catchUp(
  admin: Broker['admin'],
  changes: readonly UserChange[],
  current: (org: string, user: string) => CurrentUser,
  logger: Logger,
): Promise<Set<number>> {
  const failed = new Set<number>();
  const step = async (what: string, change: UserChange, run: () => Promise<number>) => {
    const { seq, org, user, at } = change;
    try {
      return await run();
    } catch (error) {
      failed.add(seq);
      logger.error(
        { event: 'external_change_not_applied', what, org, user, seq, changedAt: at, err: error },
        'a user changed from outside the server not caught up with in the broker; tried again at the next start',
      );
      return 0;
    }
  };
  for (const change of changes) {
    // When it changed tells those made while the server was down from the others.
    const { org, user, at: changedAt } = change;
    if (change.kind === 'removed') {
      // What a new user under the id has set or left since stays (broker-admin.ts).
      const count = await step('clear_last_known', change, () =>
        admin.clearLastKnown(org, user, current(org, user)),
      );
      // Their away persistent sessions would keep queueing messages for nobody.
      const sessions = await step('forget_user', change, () =>
        admin.forgetUser(org, user, current(org, user)),
      );
      if (count > 0 || sessions > 0) {
        logger.info(
          {
            event: 'last_known_cleared_after_external_change',
            org,
            user,
            changedAt,
            count,
            sessions,
          },
          'cleared the last-known states and stored sessions of a user removed from outside the server',
        );
      }
      continue;
    }
    // Removed since (and maybe created again), they are caught up with as removed by a later
    // entry: said offline now, their presences would only be cleared after.
    const count = await step('mark_offline', change, async () =>
      current(org, user)()?.createdAt === change.createdAt ? admin.markOffline(org, user) : 0,
    );
    if (count > 0) {
      logger.info(
        { event: 'presence_offline_after_external_change', org, user, changedAt, count },
        'marked offline the presence a user disabled from outside the server left online',
      );
    }
  }
  return failed;
}
