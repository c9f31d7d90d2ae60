import { roleRules, type AclRule, type Role } from '../../shared/acl';
import type { UserRecord, UserStore } from '../storage';

/**
 * A user's rules as the broker evaluates them: extra rules first, so a per-user deny can
 * narrow the role's template. The one place that order is decided: the broker's CONNECT,
 * POST /api/token's `acl` claim, the HTTP room checks and the admin console all ask here.
 */
export function effectiveRules(
  users: UserStore,
  record: Pick<UserRecord, 'org' | 'user' | 'role'>,
): AclRule[] {
  return withRoleRules(users.extraRules(record.org, record.user), record.role);
}

/** effectiveRules of extra rules read already (UserStore.listUsersWithRules: many users). */
export function withRoleRules(extraRules: readonly AclRule[], role: Role): AclRule[] {
  return [...extraRules, ...roleRules(role)];
}
