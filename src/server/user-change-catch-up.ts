import type { Logger } from 'pino';
import type { CurrentUser } from './broker/broker-admin';
import type { Broker } from './broker/broker';
import type { UserChange } from './storage';

/**
 * What the admin console's DELETE and disable do to the broker (users.ts), change by change
 * in the log's order. Each step of each change is tried on its own, and one that fails
 * stops nothing else. Returns as `failed` the changes a step of which failed: they stay in
 * the log, and are tried again later in this run, less and less often (one that fails for
 * good, on a broken store, is not tried at every tick), and at the next start. A failure is
 * logged the first time only: not for a change in `failedBefore`. Once `signal` is aborted
 * (a start given up on), no further change is begun: `tried` counts those that were, from
 * the first.
 */
export async function catchUp(
  admin: Broker['admin'],
  changes: readonly UserChange[],
  current: (org: string, user: string) => CurrentUser,
  logger: Logger,
  failedBefore: ReadonlySet<number>,
  signal?: AbortSignal,
): Promise<{ failed: Set<number>; tried: number }> {
  const failed = new Set<number>();
  let tried = 0;
  const step = async (what: string, change: UserChange, run: () => Promise<number>) => {
    const { seq, org, user, at } = change;
    try {
      return await run();
    } catch (error) {
      if (!failed.has(seq) && !failedBefore.has(seq)) {
        logger.error(
          { event: 'external_change_not_applied', what, org, user, seq, changedAt: at, err: error },
          'a user changed from outside the server not caught up with in the broker; tried again later, logged once caught up with',
        );
      }
      failed.add(seq);
      return 0;
    }
  };
  for (const change of changes) {
    if (signal?.aborted) break;
    tried++;
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
  return { failed, tried };
}
