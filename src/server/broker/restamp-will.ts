import { isPayloadId, MAX_PAYLOAD_ID_LENGTH, payloadFields } from '../../shared/schemas';
import type { TopicKind } from '../../shared/topics';

/**
 * The time each contract payload carries of when it was said. A Last Will is written at
 * CONNECT [MQTT-3.1.2-8] but said when it fires, maybe days later: an agent that crashed
 * three days after connecting showed "offline · 3 days ago" at once, and a presence
 * offline since its CONNECT.
 */
const WILL_TIME_FIELDS: Partial<Record<TopicKind, string>> = {
  'chat-message': 'sentAt',
  notification: 'createdAt',
  'agent-state': 'updatedAt',
  presence: 'since',
};

/**
 * The payloads the history keeps once per id (record-history.ts). A client sends the same
 * will, id and all, in every CONNECT (mqtt.js does), so each firing says it again with
 * another time: under the will's own id every firing after the first was another message
 * under a kept id, and went to no one. A command carries no time, but each firing is a
 * command of its own all the same: under the will's own id, every firing after the first
 * would be taken for a resend of it, and go to no agent.
 */
const WILL_ID_KINDS: ReadonlySet<TopicKind> = new Set([
  'chat-message',
  'notification',
  'agent-inbox',
]);

/** Marks the firing time in a will's id (the id holds any characters: schemas.ts). */
const FIRING_MARK = '~';

/**
 * A will's payload stamped again with `now`, as it fires, so receivers place it when it was
 * sent and the time checks hold for it as for any publish (clock-bounds.ts); a chat message,
 * notification or command also gets an id of its own firing (`firingId`). Null when its
 * topic's payload carries neither a time nor an id kept once, or `payload` is not a JSON
 * object with a numeric time there (for a command: with a valid id); the checks that
 * follow refuse it then.
 *
 * Only the contract's fields go (schemas.ts). A will with others is refused at CONNECT, but
 * one stored before they were refused fires after a restart: refused then, a presence or
 * an agent's offline state would never be said, and it stayed online for good.
 */
export function restampWill(kind: TopicKind, payload: Uint8Array, now: number): Buffer | null {
  const field = WILL_TIME_FIELDS[kind];
  if (field === undefined && !WILL_ID_KINDS.has(kind)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const said = value as Record<string, unknown>;
  if (field === undefined ? !isPayloadId(said.id) : typeof said[field] !== 'number') return null;
  const restamped: Record<string, unknown> = {};
  for (const name of payloadFields(kind)) {
    if (Object.hasOwn(said, name)) restamped[name] = said[name];
  }
  if (field !== undefined) restamped[field] = now;
  // Only a valid id is replaced: one the checks would refuse stays as it is, and is refused.
  if (WILL_ID_KINDS.has(kind) && isPayloadId(said.id)) restamped.id = firingId(said.id, now);
  try {
    return Buffer.from(JSON.stringify(restamped));
  } catch {
    // Nested too deep to write again (a command's args, in a will stored before their depth
    // was bounded): as it is, the checks refuse it. Thrown, it would end aedes' sweep of
    // stored wills, and the process with it.
    return null;
  }
}

/**
 * The id of a will's firing at `now`: its own id, cut where needed to stay within
 * MAX_PAYLOAD_ID_LENGTH, then `~` and `now` in base 36 (`m4x1k2ab`, 8 characters until
 * the year 2059). A firing is a message of its own, kept and shown under this id; the same
 * firing recorded twice keeps one id, as its time is its `sentAt` (`createdAt`) too.
 */
export function firingId(id: string, now: number): string {
  const mark = `${FIRING_MARK}${now.toString(36)}`;
  let head = id.slice(0, Math.max(0, MAX_PAYLOAD_ID_LENGTH - mark.length));
  // Not half a surrogate pair: the id would no longer be the text it was.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return head + mark;
}
