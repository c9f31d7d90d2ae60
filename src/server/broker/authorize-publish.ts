import type { Client, PublishPacket } from 'aedes';
import type { AclRule } from '../../shared/acl';
import type { DecodedPayload } from '../../shared/schemas';
import { agentStateTopic, parseTopic, presenceTopic } from '../../shared/topics';
import { getIdentity, type ClientIdentity } from './client-identity';
import {
  checkPublish,
  type PublishContext,
  type PublisherRules,
  type PublishVerdict,
} from './check-publish';
import { discard, mountTopic, parseMountedClientId, unmountTopic } from './mount-point';
import type { PacePublish } from './publish-rate-limit';
import { restampWill } from './restamp-will';

/** Whose publish was refused, as far as it is known (for the log). */
export type Publisher = Pick<ClientIdentity, 'org' | 'user'> | undefined;

export interface AuthorizePublishOptions {
  onDenied(publisher: Publisher, topic: string, code: string, reason: string): void;
  /** An accepted publish with a contract payload, decoded (history records it here). */
  onAccepted(packet: PublishPacket, publisher: ClientIdentity, message: DecodedPayload): void;
  /** A Last Will let go with a contract payload, decoded: aedes routes it at once. */
  onWillAccepted(
    will: PublishPacket,
    owner: Pick<ClientIdentity, 'org' | 'user'>,
    message: DecodedPayload,
  ): void;
  /** Where the user stands now; null when no such user is left (removed). */
  standingOf(org: string, user: string): UserStanding | null;
  /**
   * The store failed during a check: a will's user could not be read (the will is then
   * checked as far as is known), or a chat message's room could not be looked up.
   */
  onCheckFailed(publisher: Publisher, topic: string, error: unknown): void;
  /** The clock and the rooms the checks read (check-chat.ts). */
  publishContext: PublishContext;
  /**
   * When a live publish the checks accepted may go (publish-rate-limit.ts): now, in its
   * turn, or never (it then goes nowhere, as a refused one does). Last Wills are not
   * paced: one fires once a connection.
   */
  pace: PacePublish;
}

/** A user's state as it is now (not as their connection read it). */
export interface UserStanding {
  disabled: boolean;
  /** Their rules now: read only when asked (only a stored will needs them). */
  rules(): AclRule[];
}

export function createAuthorizePublish(options: AuthorizePublishOptions) {
  return function authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ): void {
    // After a restart aedes publishes the stored Last Wills with no client at all.
    if (client === null) {
      authorizeStoredWill(packet as PublishPacket & { clientId?: string }, options);
      return callback(null);
    }
    const identity = getIdentity(client);
    if (!identity) return callback(new Error('publish from an unauthenticated client'));
    if (packet === (client as { will?: unknown }).will) {
      authorizeWill(identity, packet, options);
      return callback(null);
    }
    if (isStoredWillOf(client, packet)) {
      // A will a crashed broker stored for this session, found after it connected again:
      // the session is back, and its will (an offline state, mostly) would now contradict
      // it. Not sent.
      discard(packet);
      return callback(null);
    }
    const verdict = checkLive(identity, packet, options);
    if (!verdict.ok) return refuse(identity, packet, verdict, options, callback);
    const { message } = verdict;
    if (!message) {
      packet.topic = mountTopic(identity.org, packet.topic);
      return callback(null);
    }
    // Closed while it waited: not acknowledged, so the client sends it again (QoS 1 and 2),
    // and routing it now as well would make two. At QoS 0 it never will, and it goes, unless
    // the server closed the connection for cause (`closing`: a kick, a user disabled, a
    // token revoked): nothing said before that speaks for them after it, as for wills.
    const abandoned = () =>
      (client as { closed?: boolean }).closed === true && (packet.qos > 0 || identity.closing);
    const bytes = (packet.payload as Buffer).length;
    let waited = false;
    const go = (admitted: boolean) => {
      if (abandoned()) return;
      if (!admitted) {
        discard(packet); // acknowledged, routed nowhere and not kept, as a refusal
        return callback(null);
      }
      // Checked again after waiting its turn (up to 10 s): an admin may have narrowed the
      // rules, or the room gone, meanwhile (review). Only a publish that waited pays it.
      if (waited && !stillAllowed(identity, packet, options, callback)) return;
      packet.topic = mountTopic(identity.org, packet.topic);
      if (VOUCHED_KINDS.has(message.kind)) {
        packet.payload = Buffer.from(JSON.stringify(message.value));
      }
      options.onAccepted(packet, identity, message);
      callback(null);
    };
    options.pace(identity, message, bytes, go, abandoned);
    waited = true; // what goes from here on has waited
  };
}

/** Whether a publish that waited still passes its checks; if not, it is refused here. */
function stillAllowed(
  identity: ClientIdentity,
  packet: PublishPacket,
  options: AuthorizePublishOptions,
  callback: (error?: Error | null) => void,
): boolean {
  const verdict = checkLive(identity, packet, options);
  if (verdict.ok) return true;
  refuse(identity, packet, verdict, options, callback);
  return false;
}

/** A live publish's checks (check-publish.ts), on its topic as the client sent it. */
const checkLive = (
  identity: ClientIdentity,
  packet: PublishPacket,
  options: AuthorizePublishOptions,
): PublishVerdict =>
  checkPublish(
    identity,
    packet.topic,
    packet.payload as Buffer,
    packet.retain,
    options.publishContext,
  );

/**
 * A live publish its checks refused: acknowledged and routed nowhere, or, when the store
 * failed, the connection closed (the client sends it again).
 */
function refuse(
  identity: ClientIdentity,
  packet: PublishPacket,
  verdict: Extract<PublishVerdict, { ok: false }>,
  options: AuthorizePublishOptions,
  callback: (error?: Error | null) => void,
): void {
  if (verdict.code === 'room_check_failed') {
    // The store failed, not the client: with an error aedes closes the connection before
    // any PUBACK, and the client sends the message again when it reconnects.
    const error = new Error(verdict.reason);
    options.onCheckFailed(identity, packet.topic, error);
    return callback(error);
  }
  options.onDenied(identity, packet.topic, verdict.code, verdict.reason);
  discard(packet);
  callback(null);
}

/**
 * Chat messages and typing, whose sender (`from`) the broker checked, go out as checked,
 * written again from what was parsed. As the client sent them, a key given twice went
 * through (`{"from":"bob",…,"from":"alice"}`: JSON.parse keeps the last, which was
 * checked), and a reader whose parser keeps the first saw bob. Their fields are strings,
 * booleans and safe integers, which come back from JSON.parse exactly, and no longer.
 * Agent commands go as they came: their args may hold any JSON, and numbers past 2^53 or
 * like 1e400 do not survive the round trip (a review's 250 KB of `1e20` went out as 1.1 MB).
 */
const VOUCHED_KINDS: ReadonlySet<DecodedPayload['kind']> = new Set(['chat-message', 'chat-typing']);

/**
 * A Last Will, checked and mounted at CONNECT, is checked again as it goes out: the user's
 * rules may have been narrowed since. A will that is the connection's own last-known state
 * (its presence, or the agent's own state) goes whatever the rules now: that is how others
 * see it go offline, and a muted or disabled user must not stay "online". Nothing else
 * goes from a disabled user, nor from a connection the server closed for cause
 * (`closing`: an admin's kick, a revoked token, a password or role changed, a user
 * disabled; broker.ts, `disconnect`): a will armed beforehand (a chat message, say) must
 * not speak for them once they have been shut out. A user removed meanwhile has their own
 * state cleared instead (`clearInstead`). A refused will goes nowhere, as a refused publish
 * does, and aedes then forgets the stored one.
 */
function authorizeWill(
  identity: ClientIdentity,
  will: PublishPacket,
  options: AuthorizePublishOptions,
): void {
  // The connection's rules are current (an admin's changes reach it live, live-acl.ts):
  // asked only whether the user is still there and enabled, and if that cannot be told,
  // as before.
  const standing = readStanding(identity, will, options, (now) =>
    now === null ? REMOVED : now.disabled ? DISABLED : ENABLED,
  );
  if (standing === REMOVED) clearInstead(identity, will, options);
  else if (standing === DISABLED) checkWill(identity, OWN_STATE_ONLY.disabled, will, options);
  else if (identity.closing) checkWill(identity, OWN_STATE_ONLY.closed, will, options);
  else checkWill(identity, identity.rules, will, options);
}

/**
 * A will stored by a broker that stopped without sending it (a crash), which aedes sends
 * after the restart with no client, knowing it only by its session's (mounted) client id.
 * It was checked at its CONNECT, maybe days ago: it is checked as a live one is, against
 * the user's rules as they are now; a disabled user's, or one whose user cannot be read
 * now, goes only if it is the connection's own last-known state.
 */
function authorizeStoredWill(
  will: PublishPacket & { clientId?: string },
  options: AuthorizePublishOptions,
): void {
  const owner = will.clientId === undefined ? null : parseMountedClientId(will.clientId);
  if (owner === null) {
    options.onDenied(undefined, will.topic, 'will_owner_unknown', 'not a session of any org');
    discard(will);
    return;
  }
  const rules = readStanding(owner, will, options, (standing) =>
    standing === null ? REMOVED : standing.disabled ? OWN_STATE_ONLY.disabled : standing.rules(),
  );
  if (rules === REMOVED) clearInstead(owner, will, options);
  else checkWill(owner, rules ?? OWN_STATE_ONLY.unread, will, options);
}

const REMOVED = Symbol('removed');
const DISABLED = Symbol('disabled');
const ENABLED = Symbol('enabled');

/** Only the connection's own last-known state may go; `why` is logged for anything else. */
interface OwnStateOnly {
  why: string;
}

const OWN_STATE_ONLY = {
  disabled: { why: 'only its own state may go: the user is disabled' },
  closed: { why: 'only its own state may go: the server closed the connection' },
  unread: { why: 'only its own state may go: the user could not be read' },
} satisfies Record<string, OwnStateOnly>;

/**
 * What `read` makes of where the will's user stands now (null: removed); undefined when the
 * store could not tell (reported; thrown here, it would end aedes' sweep of stored wills,
 * and the process with it).
 */
function readStanding<T>(
  owner: Pick<ClientIdentity, 'org' | 'user'>,
  will: PublishPacket,
  options: AuthorizePublishOptions,
  read: (standing: UserStanding | null) => T,
): T | undefined {
  try {
    return read(options.standingOf(owner.org, owner.user));
  } catch (error) {
    options.onCheckFailed(owner, will.topic, error);
    return undefined;
  }
}

/**
 * A removed user's will: their own last-known state is cleared, by an empty retained
 * publish [MQTT-3.3.1-10], so no board keeps them, online or offline; anything else goes
 * nowhere. (Sent as it was, an offline state would put them back on the boards; not sent,
 * a user removed by the CLI, whose connections the server closes, stayed "online".)
 */
function clearInstead(
  owner: Pick<ClientIdentity, 'org' | 'user' | 'clientId'>,
  will: PublishPacket,
  options: AuthorizePublishOptions,
): void {
  const topic = unmountTopic(owner.org, will.topic);
  if (topic !== null && will.retain && isOwnState(owner, topic)) {
    will.payload = Buffer.alloc(0);
    return;
  }
  options.onDenied(owner, will.topic, 'will_user_removed', 'the user has been removed');
  discard(will);
}

const isOwnState = (owner: Pick<ClientIdentity, 'user' | 'clientId'>, topic: string) =>
  topic === presenceTopic(owner.user, owner.clientId) || topic === agentStateTopic(owner.user);

/** A will from the store (aedes gives those their broker's id), of this very session. */
function isStoredWillOf(client: Client, packet: PublishPacket): boolean {
  const stored = packet as { brokerId?: unknown; clientId?: unknown };
  return stored.brokerId !== undefined && stored.clientId === client.id;
}

/** `rules`: the owner's, or OwnStateOnly when only the connection's own state may go. */
function checkWill(
  owner: Pick<ClientIdentity, 'org' | 'user' | 'clientId'>,
  rules: AclRule[] | OwnStateOnly,
  will: PublishPacket,
  options: AuthorizePublishOptions,
): void {
  const topic = unmountTopic(owner.org, will.topic);
  if (topic === null) {
    options.onDenied(owner, will.topic, 'will_topic_outside_org', 'not a topic of the org');
    discard(will);
    return;
  }
  const kind = parseTopic(topic)?.kind;
  // Its time, and for a chat message, notification or command its id: each firing is a
  // message of its own, or the history would take the second for a resend under a kept id.
  if (kind !== undefined) {
    const restamped = restampWill(kind, will.payload as Buffer, options.publishContext.now());
    if (restamped) will.payload = restamped;
  }
  let allowed: AclRule[];
  // Its own state is checked against the contract only (the rules were, at CONNECT).
  if (isOwnState(owner, topic)) allowed = [{ permission: 'allow', action: 'publish', topic }];
  else if (Array.isArray(rules)) allowed = rules;
  else {
    options.onDenied(owner, topic, 'will_own_state_only', rules.why);
    discard(will);
    return;
  }
  const publisher: PublisherRules = { ...owner, rules: allowed, closing: false };
  const verdict = checkPublish(
    publisher,
    topic,
    will.payload as Buffer,
    will.retain,
    options.publishContext,
  );
  if (verdict.ok) {
    if (verdict.message) options.onWillAccepted(will, owner, verdict.message);
    return;
  }
  options.onDenied(owner, topic, `will_${verdict.code}`, verdict.reason);
  discard(will);
}
