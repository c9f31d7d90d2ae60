import { roleRules, type AclRule } from '../../shared/acl';
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
  return [...users.extraRules(record.org, record.user), ...roleRules(record.role)];
}
