import { evaluateAcl } from '../../shared/acl';
import { chatMessagesTopic } from '../../shared/topics';
import { effectiveRules } from '../auth/effective-rules';
import type { Storage } from '../storage';
import type { AuthContext } from './require-session';

/**
 * Whether the caller may read a room over HTTP (its history, its place in the room list):
 * exactly when their ACL lets them subscribe to its messages, as the broker decides live.
 * No client id over HTTP, so rules naming ${clientid} do not apply, as for the broker
 * with an id they do not match.
 */
export function roomReader(storage: Storage, auth: AuthContext): (room: string) => boolean {
  // requireSession has just read the user (and its role) from the database.
  const rules = effectiveRules(storage.users, auth);
  return (room) =>
    evaluateAcl(rules, 'subscribe', chatMessagesTopic(room), {
      username: auth.user,
      clientid: '',
    }).allowed;
}
