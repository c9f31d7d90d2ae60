import { roleRules, type AclRule } from '../../shared/acl';
import type { UserRecord, UserStore } from '../storage';

/**
 * A user's rules as the broker evaluates them: extra rules first, so a per-user deny can
 * narrow the role's template (the same order verify-credentials and POST /api/token use).
 */
export function effectiveRules(users: UserStore, record: UserRecord): AclRule[] {
  return [...users.extraRules(record.org, record.user), ...roleRules(record.role)];
}
