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
 * A will's payload stamped again with `now`, as it fires, so receivers place it when it was
 * sent and the time checks hold for it as for any publish (clock-bounds.ts). Null when its
 * topic's payload carries no time, or `payload` is not a JSON object with a numeric one
 * there (the checks that follow refuse it then).
 */
export function restampWill(kind: TopicKind, payload: Uint8Array, now: number): Buffer | null {
  const field = WILL_TIME_FIELDS[kind];
  if (field === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const said = value as Record<string, unknown>;
  if (typeof said[field] !== 'number') return null;
  return Buffer.from(JSON.stringify({ ...said, [field]: now }));
}
