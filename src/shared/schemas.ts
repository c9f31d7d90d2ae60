import { z } from './zod';
import { ID_PATTERN } from './ids';
import { parseTopic, type TopicKind } from './topics';
import { hasVisibleText } from './visible-text';

// One schema per topic of the contract, used by the broker (sender checks, history) and
// by the browser's message router. Times are milliseconds since the epoch.
//
// A payload with a field its schema does not name is refused (z.strictObject), not cut
// down to the known ones: the broker routes a payload's bytes as they came, so an unknown
// field reached every reader whole (250 KB of "junk" beside 4,000 characters of text).
// Refusing costs one look at each key; re-serialising every payload would cost far more.

export const MAX_CHAT_TEXT_LENGTH = 4_000;
export const MAX_PAYLOAD_ID_LENGTH = 64;
export const MAX_NOTIFICATION_TITLE_LENGTH = 200;
/**
 * How deep an agent command's args may nest, the args object itself being the first level:
 * more than any command takes, and few enough that code walking them recursively (the
 * command log's digest re-serialises them, as may an agent) cannot run out of stack. Args
 * nested 50,000 deep made JSON.stringify throw in the broker.
 */
export const MAX_ARGS_DEPTH = 32;

const id = z.string().check(z.regex(ID_PATTERN, 'must be a valid id'));
const messageId = z.string().check(z.minLength(1), z.maxLength(MAX_PAYLOAD_ID_LENGTH));

/** Whether `id` is a valid chat message or notification id, as `messageId` checks. */
export const isPayloadId = (id: unknown): id is string =>
  typeof id === 'string' && id.length >= 1 && id.length <= MAX_PAYLOAD_ID_LENGTH;
const epochMs = z.number().check(z.int(), z.nonnegative());

const chatMessageFields = {
  id: messageId,
  from: id,
  text: z.string().check(z.minLength(1), z.maxLength(MAX_CHAT_TEXT_LENGTH)),
  sentAt: epochMs,
};

export const chatMessageSchema = z.strictObject({
  ...chatMessageFields,
  // Nothing, or spaces and zero-width characters alone: an empty row in everyone's timeline.
  text: z
    .string()
    .check(
      z.maxLength(MAX_CHAT_TEXT_LENGTH),
      z.refine(hasVisibleText, 'must have a visible character'),
    ),
});

export const typingSchema = z.strictObject({ from: id, typing: z.boolean() });

export const presenceSchema = z.strictObject({
  status: z.enum(['online', 'offline']),
  since: epochMs,
});

const notificationFields = {
  id: messageId,
  title: z.string().check(z.minLength(1), z.maxLength(MAX_NOTIFICATION_TITLE_LENGTH)),
  body: z.string().check(z.maxLength(4_000)),
  link: z.optional(z.string().check(z.maxLength(2_000))),
  createdAt: epochMs,
};

export const notificationSchema = z.strictObject({
  ...notificationFields,
  // A title of spaces or zero-width characters is an empty heading in the inbox.
  title: z
    .string()
    .check(
      z.maxLength(MAX_NOTIFICATION_TITLE_LENGTH),
      z.refine(hasVisibleText, 'must have a visible character'),
    ),
});

export const AGENT_STATUSES = ['idle', 'working', 'paused', 'error', 'offline'] as const;

export const agentStateSchema = z.strictObject({
  status: z.enum(AGENT_STATUSES),
  task: z.optional(z.string().check(z.maxLength(200))),
  progress: z.optional(z.number().check(z.gte(0), z.lte(100))),
  detail: z.optional(z.string().check(z.maxLength(2_000))),
  updatedAt: epochMs,
});

/**
 * Whether `value`'s objects and arrays nest at most `levels` deep, `value` itself being the
 * first. Recurses at most `levels` + 1 calls deep, however deep `value` goes.
 */
function nestsWithin(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (levels === 0) return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (!nestsWithin(item, levels - 1)) return false;
  }
  return true;
}

export const agentCommandSchema = z.strictObject({
  id: messageId,
  // Shown in the command log and read out: a blank name is a row that says nothing.
  command: z
    .string()
    .check(z.maxLength(64), z.refine(hasVisibleText, 'must have a visible character')),
  // The command's own: whatever it takes, under names of its choosing, nested within reason.
  args: z.optional(
    z
      .record(z.string(), z.unknown())
      .check(
        z.refine(
          (args) => nestsWithin(args, MAX_ARGS_DEPTH),
          `must not nest more than ${MAX_ARGS_DEPTH} levels deep`,
        ),
      ),
  ),
  from: id,
});

export const agentReplySchema = z.strictObject({
  commandId: messageId,
  status: z.enum(['accepted', 'done', 'failed']),
  detail: z.optional(z.string().check(z.maxLength(2_000))),
});

export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type Typing = z.infer<typeof typingSchema>;
export type Presence = z.infer<typeof presenceSchema>;
export type AppNotification = z.infer<typeof notificationSchema>;
export type AgentState = z.infer<typeof agentStateSchema>;
export type AgentStatus = AgentState['status'];
export type AgentCommand = z.infer<typeof agentCommandSchema>;
export type AgentReply = z.infer<typeof agentReplySchema>;

export type DecodedPayload =
  | { kind: 'chat-message'; room: string; value: ChatMessage }
  | { kind: 'chat-typing'; room: string; value: Typing }
  | { kind: 'presence'; user: string; clientId: string; value: Presence }
  | { kind: 'notification'; user: string; value: AppNotification }
  | { kind: 'agent-state'; agent: string; value: AgentState }
  | { kind: 'agent-inbox'; agent: string; value: AgentCommand }
  | { kind: 'agent-replies'; agent: string; value: AgentReply };

export type DecodeResult = { ok: true; message: DecodedPayload } | { ok: false; error: string };

type SchemaTable = { [K in TopicKind]: z.ZodMiniObject };

const SCHEMAS: SchemaTable = {
  'chat-message': chatMessageSchema,
  'chat-typing': typingSchema,
  presence: presenceSchema,
  notification: notificationSchema,
  'agent-state': agentStateSchema,
  'agent-inbox': agentCommandSchema,
  'agent-replies': agentReplySchema,
};

/** The fields a payload of `kind` may have: its schema's, no others. */
export const payloadFields = (kind: TopicKind): readonly string[] =>
  Object.keys(SCHEMAS[kind].shape);

// What was stored is read with fields outside the contract dropped, not refused: a
// retained state kept from before they were refused must still be read, and the HTTP API
// may add fields of its own to what it kept (an inbox item's `read`). Nor need a kept chat
// message show anything: the history kept such messages before that rule, and the unread
// counts count them. Never for a payload as it arrives.

/** A chat message the history kept, as the HTTP API answers it. */
export const storedChatMessageSchema = z.object(chatMessageFields);
/** A notification an inbox kept, as the HTTP API answers it. */
export const storedNotificationSchema = z.object(notificationFields);

const STORED_SCHEMAS: SchemaTable = {
  'chat-message': storedChatMessageSchema,
  'chat-typing': z.object(typingSchema.shape),
  presence: z.object(presenceSchema.shape),
  notification: storedNotificationSchema,
  'agent-state': z.object(agentStateSchema.shape),
  'agent-inbox': z.object(agentCommandSchema.shape),
  'agent-replies': z.object(agentReplySchema.shape),
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Validates a payload against its topic's schema; never throws. */
export function decodePayload(topic: string, payload: Uint8Array | string): DecodeResult {
  return decode(SCHEMAS, topic, payload);
}

/**
 * Reads a payload the broker stored (a retained message) as decodePayload does, but with
 * fields outside the contract dropped, not refused: one kept from before they were refused
 * is still read. Never for a payload as it arrives.
 */
export function decodeStoredPayload(topic: string, payload: Uint8Array | string): DecodeResult {
  return decode(STORED_SCHEMAS, topic, payload);
}

function decode(schemas: SchemaTable, topic: string, payload: Uint8Array | string): DecodeResult {
  const parsed = parseTopic(topic);
  if (!parsed) return { ok: false, error: 'topic outside the contract' };
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return { ok: false, error: 'payload is not UTF-8' };
  }
  if (text.length === 0) return { ok: false, error: 'empty' }; // a cleared retained message
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }
  const result = schemas[parsed.kind].safeParse(json);
  if (!result.success) {
    return { ok: false, error: result.error.issues.map(formatIssue).join('; ') };
  }
  return { ok: true, message: { ...parsed, value: result.data } as DecodedPayload };
}

// A refusal names this many unknown fields at most, each cut to this many characters: the
// reason is logged, and a payload may carry thousands of them, or one named by 250 KB.
const UNKNOWN_FIELDS_NAMED = 3;
const FIELD_NAME_CHARS_SHOWN = 64;

function formatIssue(issue: z.core.$ZodIssue): string {
  const message =
    issue.code === 'unrecognized_keys'
      ? `${unknownFields(issue.keys)}: not in the contract`
      : issue.message;
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${message}` : message;
}

/**
 * `unknown field "junk"`, `unknown fields "a", "b", "c" and 2 more`: also how the HTTP API
 * names the fields of a request body it does not take.
 */
export function unknownFields(keys: readonly string[]): string {
  const named = keys.slice(0, UNKNOWN_FIELDS_NAMED).map((key) => {
    const shown =
      key.length > FIELD_NAME_CHARS_SHOWN ? `${key.slice(0, FIELD_NAME_CHARS_SHOWN)}…` : key;
    return JSON.stringify(shown); // quoted, its control characters escaped
  });
  const more = keys.length - named.length;
  const fields = named.join(', ') + (more > 0 ? ` and ${more} more` : '');
  return `unknown field${keys.length === 1 ? '' : 's'} ${fields}`;
}
