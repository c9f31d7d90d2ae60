import { evaluateAcl } from '../../shared/acl';
import { decodePayload, type DecodedPayload } from '../../shared/schemas';
import { parseTopic, type ParsedTopic } from '../../shared/topics';
import { validateTopicName } from '../../shared/topic-filter';
import { checkChat, type ChatContext } from './check-chat';
import { checkNotification } from './check-notification';
import { checkStateTime } from './check-state-time';
import type { ClientIdentity } from './client-identity';

const CONTRACT_ROOTS: ReadonlySet<string> = new Set([
  'chat',
  'presence',
  'notifications',
  'agents',
]);

// The contract's last-known states (DESIGN.md, topic contract). Retained anything else
// would be handed to every new subscriber: a chat message on each room join, an agent
// command replayed to the agent on each reconnect.
const RETAINED_KINDS: ReadonlySet<ParsedTopic['kind']> = new Set(['presence', 'agent-state']);

/** What the checks need to know of a publisher (a connection, or a stored will's owner). */
export type PublisherRules = Pick<
  ClientIdentity,
  'org' | 'user' | 'clientId' | 'rules' | 'closing'
>;

/** What the checks read beyond the publish: the clock and the org's rooms (check-chat.ts). */
export type PublishContext = ChatContext;

export type PublishVerdict =
  /** `message`: the decoded payload, for a contract topic with one */
  { ok: true; message?: DecodedPayload } | { ok: false; code: string; reason: string };

/**
 * The rules every publish (and every Last Will) of a client must pass, on the topic as the
 * client named it: a valid name, not `$`-reserved, allowed by the ACL, and, on contract
 * topics, a payload that fits its schema with `from` naming the sender itself, chat to a
 * room of the org with a believable `sentAt` (check-chat.ts), notifications with a
 * believable `createdAt` (check-notification.ts), and last-known states not stamped ahead
 * (check-state-time.ts).
 */
export function checkPublish(
  identity: PublisherRules,
  topic: string,
  payload: Uint8Array | string,
  retain: boolean,
  context: PublishContext,
): PublishVerdict {
  if (identity.closing) {
    return { ok: false, code: 'connection_closing', reason: 'the connection is being closed' };
  }
  const topicError = validateTopicName(topic);
  if (topicError)
    return { ok: false, code: `topic_${topicError.code}`, reason: topicError.message };
  if (topic.startsWith('$')) {
    return { ok: false, code: 'topic_reserved', reason: '$ topics are reserved for the broker' };
  }
  const decision = evaluateAcl(identity.rules, 'publish', topic, {
    username: identity.user,
    clientid: identity.clientId,
  });
  if (!decision.allowed) {
    return { ok: false, code: 'acl_denied', reason: `publish to ${topic} is not allowed` };
  }
  const parsed = parseTopic(topic);
  if (parsed === null) {
    // The contract's namespaces hold only contract topics (no `chat/__proto__/messages`).
    if (CONTRACT_ROOTS.has(topic.split('/', 1)[0]!)) {
      return {
        ok: false,
        code: 'topic_outside_contract',
        reason: `${topic} is not a topic of the contract`,
      };
    }
    return { ok: true }; // extra topics an ACL rule allows
  }
  if (retain && !RETAINED_KINDS.has(parsed.kind)) {
    return {
      ok: false,
      code: 'retain_not_allowed',
      reason: `${topic} is not a last-known state: publish it without retain`,
    };
  }
  // An empty retained publish clears a retained message [MQTT-3.3.1-10].
  if (retain && payload.length === 0) return { ok: true };
  const decoded = decodePayload(topic, payload);
  if (!decoded.ok) return { ok: false, code: 'payload_invalid', reason: decoded.error };
  // Chat messages, typing and agent commands name their sender; it must be the publisher.
  const { value } = decoded.message;
  if ('from' in value && value.from !== identity.user) {
    return { ok: false, code: 'sender_mismatch', reason: `from must be ${identity.user}` };
  }
  const refusal =
    checkChat(identity.org, decoded.message, context) ??
    checkNotification(decoded.message, context) ??
    checkStateTime(decoded.message, context);
  if (refusal) return { ok: false, ...refusal };
  return { ok: true, message: decoded.message };
}
