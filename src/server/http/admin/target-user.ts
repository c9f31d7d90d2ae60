import { isValidId } from '../../../shared/ids';
import type { Storage, UserRecord } from '../../storage';
import { ApiError } from '../errors';
import type { AuthContext } from '../require-session';

/** A user of the caller's org, or 404: another org's users do not exist from here. */
export function findUser(storage: Storage, org: string, user: string): UserRecord {
  const record = isValidId(user) ? storage.users.getUser(org, user) : undefined;
  if (!record) throw new ApiError(404, 'user_not_found', `no user "${user}" in this org`);
  return record;
}

/** An admin locking themselves out (or demoting the last admin) is refused. */
export function refuseSelf(auth: AuthContext, user: string, what: string): void {
  if (auth.user === user) {
    throw new ApiError(409, 'cannot_modify_self', `you cannot ${what} your own account`);
  }
}
