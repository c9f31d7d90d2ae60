import { create } from 'zustand';
import type { AgentReply } from '../../../../shared/schemas';
import type { PublishRefusal } from '../../../lib/mqtt/publish-refusal';

export type CommandDelivery =
  | { delivery: 'pending' } // until the broker's PUBACK
  // The agent's reply is waited for from the PUBACK, not from sentAt, so a command that sat
  // in the outbox while the tab was offline is not judged unanswered the moment it leaves.
  | { delivery: 'sent'; ackedAt: number }
  // An MQTT 5 broker's PUBACK refused it (reason code >= 0x80; 3.1.1 brokers never say),
  // or it could not be sent at all.
  | { delivery: 'refused'; refusal: PublishRefusal };

export type SentCommand = CommandDelivery & {
  id: string;
  agent: string;
  command: string;
  sentAt: number;
};

export interface ReceivedReply extends AgentReply {
  agent: string;
  receivedAt: number;
}

interface AgentCommandsStore {
  commands: Record<string, SentCommand>;
  /** command id → replies in arrival order (accepted, then done or failed) */
  replies: Record<string, ReceivedReply[]>;
  addCommand(command: SentCommand): void;
  /** PUBACK for an outbox id; no-op when the id is not a command. */
  markSent(id: string, now?: number): void;
  /** Outbox id `id` was refused for good; no-op when the id is not a pending command. */
  markRefused(id: string, refusal: PublishRefusal): void;
  receiveReply(agent: string, reply: AgentReply, now: number): void;
  reset(): void;
}

// Replies of other dashboards' commands arrive too (agents/+/replies); keep a bounded few.
export const MAX_REPLIES_PER_COMMAND = 20;

export const useAgentCommandsStore = create<AgentCommandsStore>()((set) => ({
  commands: {},
  replies: {},
  addCommand: (command) =>
    set((state) => ({ commands: { ...state.commands, [command.id]: command } })),
  markSent: (id, now = Date.now()) =>
    set((state) => {
      const command = state.commands[id];
      if (!command || command.delivery === 'sent') return state;
      return {
        commands: { ...state.commands, [id]: { ...command, delivery: 'sent', ackedAt: now } },
      };
    }),
  markRefused: (id, refusal) =>
    set((state) => {
      const command = state.commands[id];
      if (command?.delivery !== 'pending') return state;
      return {
        commands: { ...state.commands, [id]: { ...command, delivery: 'refused', refusal } },
      };
    }),
  receiveReply: (agent, reply, now) =>
    set((state) => {
      const previous = state.replies[reply.commandId] ?? [];
      // QoS 1 may redeliver the same reply.
      if (previous.some((r) => r.status === reply.status && r.detail === reply.detail))
        return state;
      const next = [...previous, { ...reply, agent, receivedAt: now }].slice(
        -MAX_REPLIES_PER_COMMAND,
      );
      return { replies: { ...state.replies, [reply.commandId]: next } };
    }),
  reset: () => set({ commands: {}, replies: {} }),
}));
