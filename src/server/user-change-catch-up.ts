import type { Logger } from 'pino';
import { canUseApp, type AclRule, type Role } from '../shared/acl';
import type { CurrentUser } from './broker/broker-admin';
import type { Broker } from './broker/broker';
import type { UserChange } from './storage';

/** The user under an id now, as the broker is to treat them; read when a step begins. */
export interface UserNow {
  createdAt: number;
  role: Role;
  /** Their rules as the broker evaluates them (effectiveRules). */
  rules: AclRule[];
}

/**
 * What the admin console's DELETE, disable and role change do to the broker (users.ts),
 * change by change in the log's order. Each step of each change is tried on its own, and
 * one that fails stops nothing else. Returns as `failed` the changes a step of which
 * failed: they stay in the log, and are tried again later in this run, less and less often
 * (one that fails for good, on a broken store, is not tried at every tick), and at the
 * next start. A failure is logged the first time only: not for a change in `failedBefore`.
 * Once `signal` is aborted (a start given up on), no further change is begun: `tried`
 * counts those that were, from the first.
 */
export interface CatchUpOptions {
  admin: Broker['admin'];
  /** Who holds the id now, asked as each step begins (broker-admin.ts). */
  current: (org: string, user: string) => CurrentUser;
  userNow: (org: string, user: string) => UserNow | undefined;
  logger: Logger;
  failedBefore: ReadonlySet<number>;
  signal?: AbortSignal;
}

export async function catchUp(
  changes: readonly UserChange[],
  { admin, current, userNow, logger, failedBefore, signal }: CatchUpOptions,
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
    if (change.kind === 'role') {
      await catchUpRole(admin, change, userNow, step, logger);
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

/**
 * A role changed: as the console's PATCH, a role that cannot use the app turns offline the
 * presences their app left online (its sign-ins and tokens ended with the change, and the
 * poll has closed its connections: `stillAllowed`), and the user's connections and away
 * sessions get their rules, subscriptions the rules refuse pruned. Each step reads the user
 * as they are when it runs, not as the entry found them: the role changed twice gives the
 * last one's rules twice, and a second run does nothing more (may the entry be tried again).
 * Not for a user removed since, or created again under the id: a later entry is theirs.
 */
async function catchUpRole(
  admin: Broker['admin'],
  change: UserChange,
  userNow: (org: string, user: string) => UserNow | undefined,
  step: (what: string, change: UserChange, run: () => Promise<number>) => Promise<number>,
  logger: Logger,
): Promise<void> {
  const { org, user, at: changedAt } = change;
  const now = () => {
    const found = userNow(org, user);
    return found?.createdAt === change.createdAt ? found : undefined;
  };
  const markedOffline = await step('mark_offline', change, async () => {
    const found = now();
    return found && !canUseApp(found.role) ? admin.markOffline(org, user) : 0;
  });
  let removed: string[] = [];
  const connections = await step('apply_rules', change, async () => {
    const found = now();
    if (!found) return 0;
    const applied = await admin.applyRules(org, user, found.rules);
    removed = applied.removed;
    return applied.connections;
  });
  // Only what changed something: a console's change, caught up with too, has done it all.
  if (markedOffline > 0 || removed.length > 0) {
    logger.info(
      {
        event: 'rules_applied_after_external_change',
        org,
        user,
        changedAt,
        connections,
        removedSubscriptions: removed,
        markedOffline,
      },
      'applied the new role of a user changed from outside the server to their connections and stored sessions',
    );
  }
}
