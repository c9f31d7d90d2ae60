import { z } from './zod';
import { ID_PATTERN } from './ids';
import { parseTopic, type ParsedTopic } from './topics';

// One schema per topic of the contract, used by the broker (sender checks, history) and
// by the browser's message router. Times are milliseconds since the epoch.

export const MAX_CHAT_TEXT_LENGTH = 4_000;
export const MAX_PAYLOAD_ID_LENGTH = 64;

const id = z.string().check(z.regex(ID_PATTERN, 'must be a valid id'));
const messageId = z.string().check(z.minLength(1), z.maxLength(MAX_PAYLOAD_ID_LENGTH));

/** Whether `id` is a valid chat message or notification id, as `messageId` checks. */
export const isPayloadId = (id: unknown): id is string =>
  typeof id === 'string' && id.length >= 1 && id.length <= MAX_PAYLOAD_ID_LENGTH;
const epochMs = z.number().check(z.int(), z.nonnegative());

export const chatMessageSchema = z.object({
  id: messageId,
  from: id,
  text: z.string().check(z.minLength(1), z.maxLength(MAX_CHAT_TEXT_LENGTH)),
  sentAt: epochMs,
});

export const typingSchema = z.object({ from: id, typing: z.boolean() });

export const presenceSchema = z.object({
  status: z.enum(['online', 'offline']),
  since: epochMs,
});

export const notificationSchema = z.object({
  id: messageId,
  title: z.string().check(z.minLength(1), z.maxLength(200)),
  body: z.string().check(z.maxLength(4_000)),
  link: z.optional(z.string().check(z.maxLength(2_000))),
  createdAt: epochMs,
});

export const AGENT_STATUSES = ['idle', 'working', 'paused', 'error', 'offline'] as const;

export const agentStateSchema = z.object({
  status: z.enum(AGENT_STATUSES),
  task: z.optional(z.string().check(z.maxLength(200))),
  progress: z.optional(z.number().check(z.gte(0), z.lte(100))),
  detail: z.optional(z.string().check(z.maxLength(2_000))),
  updatedAt: epochMs,
});

export const agentCommandSchema = z.object({
  id: messageId,
  command: z.string().check(z.minLength(1), z.maxLength(64)),
  args: z.optional(z.record(z.string(), z.unknown())),
  from: id,
});

export const agentReplySchema = z.object({
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

const SCHEMAS: { [K in ParsedTopic['kind']]: z.ZodMiniType } = {
  'chat-message': chatMessageSchema,
  'chat-typing': typingSchema,
  presence: presenceSchema,
  notification: notificationSchema,
  'agent-state': agentStateSchema,
  'agent-inbox': agentCommandSchema,
  'agent-replies': agentReplySchema,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Validates a payload against its topic's schema; never throws. */
export function decodePayload(topic: string, payload: Uint8Array | string): DecodeResult {
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
  const result = SCHEMAS[parsed.kind].safeParse(json);
  if (!result.success) {
    return { ok: false, error: result.error.issues.map(formatIssue).join('; ') };
  }
  return { ok: true, message: { ...parsed, value: result.data } as DecodedPayload };
}

function formatIssue(issue: z.core.$ZodIssue): string {
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
