import { evaluateAcl, type AclRule } from '../../shared/acl';
import { chatMessagesTopic } from '../../shared/topics';
import type { Storage, UserRecord } from '../storage';
import { effectiveRules } from './effective-rules';

/**
 * Whether a user may read a topic outside a broker connection (over HTTP: a room's
 * history, its place in the room list, a last-known state; a mention's notice): exactly
 * when their ACL lets them subscribe to it, as the broker decides live. No client id
 * there, so rules naming ${clientid} do not apply, as for the broker with an id they do
 * not match.
 */
export function topicReader(
  storage: Pick<Storage, 'users'>,
  user: Pick<UserRecord, 'org' | 'user' | 'role'>,
): (topic: string) => boolean {
  // The callers have just read the user (and its role) from the database.
  return topicReaderOf(effectiveRules(storage.users, user), user.user);
}

/** topicReader of `user` whose effective rules were read already (many users at once). */
export function topicReaderOf(rules: readonly AclRule[], user: string): (topic: string) => boolean {
  const variables = { username: user, clientid: '' };
  return (topic) => evaluateAcl(rules, 'subscribe', topic, variables).allowed;
}

/** Whether the user may read a room's messages (topicReader for its topic). */
export function roomReader(
  storage: Pick<Storage, 'users'>,
  user: Pick<UserRecord, 'org' | 'user' | 'role'>,
): (room: string) => boolean {
  const canRead = topicReader(storage, user);
  return (room) => canRead(chatMessagesTopic(room));
}
