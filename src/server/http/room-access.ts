import { evaluateAcl } from '../../shared/acl';
import { chatMessagesTopic } from '../../shared/topics';
import { effectiveRules } from '../auth/effective-rules';
import type { Storage } from '../storage';
import type { AuthContext } from './require-session';

/**
 * Whether the caller may read a topic over HTTP (a room's history, its place in the room
 * list, a last-known state): exactly when their ACL lets them subscribe to it, as the
 * broker decides live. No client id over HTTP, so rules naming ${clientid} do not apply,
 * as for the broker with an id they do not match.
 */
export function topicReader(
  storage: Pick<Storage, 'users'>,
  auth: Pick<AuthContext, 'org' | 'user' | 'role'>,
): (topic: string) => boolean {
  // requireSession has just read the user (and its role) from the database.
  const rules = effectiveRules(storage.users, auth);
  const variables = { username: auth.user, clientid: '' };
  return (topic) => evaluateAcl(rules, 'subscribe', topic, variables).allowed;
}

/** Whether the caller may read a room's messages (topicReader for its topic). */
export function roomReader(
  storage: Pick<Storage, 'users'>,
  auth: Pick<AuthContext, 'org' | 'user' | 'role'>,
): (room: string) => boolean {
  const canRead = topicReader(storage, auth);
  return (room) => canRead(chatMessagesTopic(room));
}
