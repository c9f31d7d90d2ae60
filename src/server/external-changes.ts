import type { Client } from 'aedes';
import type { Logger } from 'pino';
import { canUseApp } from '../shared/acl';
import { effectiveRules } from './auth/effective-rules';
import type { Broker } from './broker/broker';
import { getIdentity, passwordStamp, type ClientIdentity } from './broker/client-identity';
import type { Storage, UserChange } from './storage';
import { catchUp, type UserNow } from './user-change-catch-up';
import { UsersSeen } from './users-seen';

/** How often the database is asked whether another process (the CLI) has changed it. */
export const EXTERNAL_CHANGES_POLL_MS = 1_000;
/** How long a connection is remembered for a catch-up after a user is created again. */
export const CONNECTION_NOTES_KEPT_MS = 10 * 60 * 1_000;
/**
 * Entries of the user change log read in one tick; more, at the next. The read itself is a
 * few ms; the catch-ups it queues run one after another, each in turns of its own, and each
 * removal's reads every stored client id of the broker (forgetUser) in one of them.
 */
export const USER_CHANGES_PER_CHECK = 1_000;
/** A change whose catch-up failed is tried again after this, then twice as long each time… */
export const USER_CHANGE_RETRY_MS = 30_000;
/** …up to this: one that fails for good (a broken store) is tried six times an hour. */
export const USER_CHANGE_RETRY_MAX_MS = 10 * 60 * 1_000;

export interface ExternalChanges {
  /**
   * Resolves once what the first check read (what changed while the server was down, up to
   * USER_CHANGES_PER_CHECK entries) is caught up with, up to its last entry that must come
   * first (mustComeFirst): the server listens only then, or a device of a user created
   * again could resume the old user's session before it is gone, and one of a user given
   * another role its stored subscriptions the role refuses. The entries after it are caught
   * up with next, in order, with the server listening.
   */
  ready: Promise<void>;
  /**
   * Checks one last time, so that a change made just before is not left unread, and
   * resolves once the catch-ups under way have ended: called before the broker closes
   * (app.ts), so that nothing is published into a closed one.
   */
  stop(): Promise<void>;
}

/**
 * The CLI writes to the same database as a running server, and the broker checks users and
 * tokens only at CONNECT: a user the CLI disabled or removed, whose tokens it revoked or
 * whose password it changed, kept their open connections, and their states stayed on every
 * board. Here, whenever a user or a token has changed, every live connection is checked
 * again and those no longer allowed are closed; then, as the admin console does when it
 * disables or removes a user, a disabled user's presence left online turns offline and a
 * removed user's last-known states are cleared (the console's own changes have done all
 * that already, so then this finds nothing to do); a user given another role gets its rules
 * on their connections and stored sessions, and, when the role cannot use the app, their
 * token connections close and their presence left online turns offline. Who was removed,
 * disabled or given another role is read from the log triggers write
 * (storage/user-change-log.ts), which also holds what the CLI did while the server was
 * down: those are caught up with at once, as the server starts. One small read a second
 * when nothing changed; chat and checkpoints do not count.
 */
export function followExternalChanges(
  storage: Storage,
  broker: Pick<Broker, 'aedes' | 'admin' | 'disconnect'>,
  logger: Logger,
  {
    intervalMs = EXTERNAL_CHANGES_POLL_MS,
    signal,
  }: {
    intervalMs?: number;
    /**
     * Aborted when the server's start is given up on (a Ctrl-C as it catches up): the
     * catch-ups then begin no further change, and those left wait in the log for the next
     * start, which `ready` and `stop` no longer wait for.
     */
    signal?: AbortSignal;
  } = {},
): ExternalChanges {
  let seen = storage.accessVersion();
  const users = new UsersSeen(storage);
  // Notes that failed in a row (a locked database): the first and the recovery are logged.
  let failedNotes = 0;
  const onClient = (client: Client) => {
    const identity = getIdentity(client);
    if (!identity) return;
    // Thrown out of aedes' event, a failed write would end the process.
    try {
      users.connected(identity);
      if (failedNotes > 0) {
        logger.info(
          { event: 'connection_noted_again', failedNotes },
          'connections noted again for catch-ups of users changed from outside the server',
        );
        failedNotes = 0;
      }
    } catch (error) {
      if (failedNotes++ === 0) {
        logger.error(
          { event: 'connection_not_noted', err: error },
          'a connection not noted: should its user be removed and created again from outside the server, its session and states may be cleared; logged once recovered',
        );
      }
    }
  };
  broker.aedes.on('client', onClient);
  // One catch-up at a time, in order; the broker closes only once the last has ended.
  let catchingUp = Promise.resolve();
  let catchUpsDue = 0;
  // The last entry of the log handed to a catch-up. From 0 at each start: entries still
  // there are changes made while the server was down, or not all caught up with before.
  let cursor = 0;
  // Entries may be waiting though the version has not moved: at the start, after a read
  // that failed, after a read that took as many as it may, and when a retry is due.
  let logPending = true;
  // Failed reads in a row: the first and the recovery are logged, not every tick between.
  let failedChecks = 0;
  // Entries kept after a failed step, by seq: logged at their first failure, and once
  // caught up with, not at each retry between.
  const failing = new Set<number>();
  let removeFailed = false;
  // Ticks counted, and the tick at which the entries kept are read again (null: none kept).
  let ticks = 0;
  let retryAtTick: number | null = null;
  let retryMs = USER_CHANGE_RETRY_MS;
  const scheduleRetry = () => {
    if (retryAtTick !== null) return;
    retryAtTick = ticks + Math.max(1, Math.ceil(retryMs / intervalMs));
    retryMs = Math.min(retryMs * 2, USER_CHANGE_RETRY_MAX_MS);
  };

  // Deleted once caught up with, not before: a server stopped or crashed half-way catches
  // up with them again at its next start (each step does nothing the second time).
  const apply = async (changes: UserChange[]) => {
    const current = (org: string, user: string) => () => users.current(org, user);
    const userNow = (org: string, user: string): UserNow | undefined => {
      const record = storage.users.getUser(org, user);
      return (
        record && {
          createdAt: record.createdAt,
          role: record.role,
          rules: effectiveRules(storage.users, record),
        }
      );
    };
    const caughtUp = await catchUp(changes, {
      admin: broker.admin,
      current,
      userNow,
      logger,
      failedBefore: failing,
      signal,
    });
    const { failed } = caughtUp;
    const tried = changes.slice(0, caughtUp.tried);
    for (const { seq, org, user, at: changedAt } of tried) {
      if (failed.has(seq)) failing.add(seq);
      else if (failing.delete(seq)) {
        logger.info(
          { event: 'external_change_applied_after_retry', org, user, seq, changedAt },
          'a user changed from outside the server caught up with in the broker after all',
        );
      }
    }
    try {
      storage.userChanges.remove(tried.filter(({ seq }) => !failed.has(seq)).map((c) => c.seq));
      if (removeFailed) {
        logger.info(
          { event: 'user_changes_removed_again' },
          'users changed from outside the server and caught up with are deleted from the log again',
        );
        removeFailed = false;
      }
    } catch (error) {
      if (!removeFailed) {
        logger.error(
          { event: 'user_changes_not_removed', err: error },
          'users changed from outside the server caught up with, but still logged: caught up with again later, or at the next start',
        );
      }
      removeFailed = true;
    }
    if (failing.size > 0 || removeFailed) scheduleRetry();
    else retryMs = USER_CHANGE_RETRY_MS;
  };

  const queue = (changes: UserChange[]) => {
    catchUpsDue++;
    catchingUp = catchingUp.then(() => apply(changes)).finally(() => catchUpsDue--);
  };

  let prunedAt = 0;
  // What `ready` waits for, set by the first check only: null when none of what it read must
  // come first, or when its read failed (the next tick reads the log again).
  let firstCaughtUp: Promise<void> | null = null;
  /**
   * `first`: the check at the start, whose read `ready` may wait for; `last`: the one at
   * stop, which reads only a change since the last tick.
   */
  const check = ({ first = false, last = false } = {}) => {
    ticks++;
    const version = storage.accessVersion();
    if (last && version === seen) return;
    // A retry reads the log from its start, once the catch-ups queued have ended: what is
    // still there before the cursor then is what failed, or was not deleted.
    if (!last && retryAtTick !== null && ticks >= retryAtTick && catchUpsDue === 0) {
      retryAtTick = null;
      cursor = 0;
      logPending = true;
    }
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
    if (logPending) {
      // After the close, so that nothing of theirs says online after it (a will says offline).
      const changes = storage.userChanges.after(cursor, USER_CHANGES_PER_CHECK);
      logPending = changes.length === USER_CHANGES_PER_CHECK;
      const newest = changes.at(-1);
      if (newest) {
        cursor = newest.seq;
        // At the start, the entries up to the last that must come first are caught up with
        // before the server listens, and the rest after it, on the same chain, in order: the
        // removals of ids nobody holds again (each reads every stored client id) among them
        // do not hold up the start, whatever entry comes before them.
        const firstOnes = first ? changes.findLastIndex((c) => mustComeFirst(storage, c)) + 1 : 0;
        if (firstOnes > 0) {
          queue(changes.slice(0, firstOnes));
          firstCaughtUp = catchingUp;
        }
        if (firstOnes < changes.length) queue(changes.slice(firstOnes));
      }
    }
    if (last) return;
    // Notes of connections are read only by catch-ups of removals, which keep those of
    // their user: others would pile up, one per client id that ever connected. Last, and
    // not again for ten minutes should it fail: a failed prune takes no check with it.
    const now = Date.now();
    if (now - prunedAt >= CONNECTION_NOTES_KEPT_MS) {
      prunedAt = now;
      users.forgetConnectionsBefore(now - CONNECTION_NOTES_KEPT_MS);
    }
  };
  const checkLogged = (when: { first?: boolean; last?: boolean } = {}) => {
    // Thrown out of a timer, a failed read (a locked or unreadable database) ends the process.
    try {
      check(when);
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
  // At once: what changed while the server was down is caught up with as the server
  // starts (app.ts calls this once the broker is up). It listens only once the removals of
  // ids that hold a user again are caught up with, or that user's device, reconnecting at
  // once, could resume the old user's session; no one else removed can sign in, and the
  // catch-up of many removals (each reads every stored client id) may take long. So with
  // role changes: a device could resume subscriptions its user's new role refuses.
  checkLogged({ first: true });
  const ready = firstCaughtUp ?? Promise.resolve();
  const timer = setInterval(() => checkLogged(), intervalMs);
  timer.unref();
  let stopped: Promise<void> | null = null;
  return {
    ready,
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(timer);
        // A change made since the last tick would otherwise wait for the next start; only
        // that (no retry, no further page: stopping must not take long).
        checkLogged({ last: true });
        broker.aedes.off('client', onClient);
        await catchingUp;
      })()),
  };
}

/**
 * Whether the server must catch up with `change` before it listens: a removal of an id that
 * holds a user again (their device could resume the old user's session), or a role change
 * of a user still there and enabled (their device, resuming its stored session, gets the
 * live messages of its stored subscriptions unchecked, their rules read at CONNECT, until
 * the catch-up prunes them). A user disabled cannot connect; one removed or created again
 * since the role change has a later entry of its own, their removal. A disabling concerns
 * nobody who can connect.
 */
function mustComeFirst(storage: Storage, change: UserChange): boolean {
  if (change.kind === 'disabled') return false;
  const user = storage.users.getUser(change.org, change.user);
  if (!user) return false;
  if (change.kind === 'removed') return true;
  return !user.disabled && user.createdAt === change.createdAt;
}

function stillAllowed(storage: Storage, identity: ClientIdentity): boolean {
  const user = storage.users.getUser(identity.org, identity.user);
  // Removed, disabled, or removed and created again under the same id since it connected.
  if (!user || user.disabled || user.createdAt > identity.connectedAt) return false;
  // Signed in with a password that is no longer the user's (`user passwd`).
  if (identity.passwordStamp !== null)
    return identity.passwordStamp === passwordStamp(user.passwordHash);
  if (identity.jti === null) return true;
  // A token is the app's: given a role that cannot use it (`user role`), its user keeps only
  // their password connections, as the console's role change leaves them. The CLI revokes
  // the tokens the inventory holds (issued_tokens); this closes those on any other.
  return canUseApp(user.role) && !storage.tokens.isRevoked(identity.jti);
}
