import { z } from './zod';
import {
  agentCommandSchema,
  agentReplySchema,
  type AgentCommand,
  type AgentReply,
} from './schemas';

// The shape of GET /api/agents/:agent/commands, shared so the server that builds it and the
// app that reads it cannot drift apart: an agent's recent commands, as the broker routed
// them to `agents/<agent>/inbox`, each with the replies it got on `agents/<agent>/replies`.

/** The most commands kept per agent, and so the most one page may list. */
export const MAX_LOGGED_COMMANDS_PER_AGENT = 200;

/**
 * The most replies kept per command, the latest ones: an agent answers accepted, then done
 * or failed; one that keeps answering fills no disk.
 */
export const MAX_LOGGED_REPLIES_PER_COMMAND = 20;

/** A reply as the broker routed it (its commandId is the command's id). */
export type LoggedReply = Omit<AgentReply, 'commandId'> & {
  /** When the broker routed it (ms since the epoch, by the server's clock). */
  receivedAt: number;
};

/**
 * A command as the broker routed it, with its replies oldest first. Without its `args`:
 * those are for the agent alone (members may write to an inbox, not read it; a command may
 * carry a secret), so the log neither keeps nor shows them, only that there were some.
 */
export type LoggedCommand = Omit<AgentCommand, 'args'> & {
  /** When the broker routed it (ms since the epoch, by the server's clock). */
  sentAt: number;
  /** Present when the command carried `args`. */
  hasArgs?: true;
  /**
   * When the agent went offline after accepting it and before finishing it (ms since the
   * epoch, by the server's clock), the first time; absent if it has not. A later result
   * still settles the command.
   */
  agentLeftAt?: number;
  replies: LoggedReply[];
};

/** One page of an agent's command log, newest first. */
export interface AgentCommandLog {
  commands: LoggedCommand[];
  /** Pass as `before` for the next older page; null when there is nothing older. */
  nextCursor: string | null;
}

const epochMs = z.number().check(z.int(), z.nonnegative());

// The payload fields are checked as the topics' own schemas check them (schemas.ts): what
// an agent or a dashboard sent is never trusted raw, over HTTP either.
export const loggedReplySchema = z.object({
  status: agentReplySchema.shape.status,
  detail: agentReplySchema.shape.detail,
  receivedAt: epochMs,
});

export const loggedCommandSchema = z.object({
  id: agentCommandSchema.shape.id,
  command: agentCommandSchema.shape.command,
  from: agentCommandSchema.shape.from,
  sentAt: epochMs,
  hasArgs: z.optional(z.literal(true)),
  agentLeftAt: z.optional(epochMs),
  replies: z.array(loggedReplySchema),
});
