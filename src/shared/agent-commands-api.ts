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

/**
 * The longest `args` (as JSON, in characters) kept with a command. A payload may be as long
 * as a packet (256 KiB by default): the command is kept without them (`argsOmitted`).
 */
export const MAX_LOGGED_ARGS_LENGTH = 4_000;

/** A reply as the broker routed it (its commandId is the command's id). */
export type LoggedReply = Omit<AgentReply, 'commandId'> & {
  /** When the broker routed it (ms since the epoch, by the server's clock). */
  receivedAt: number;
};

/** A command as the broker routed it, with its replies oldest first. */
export type LoggedCommand = AgentCommand & {
  /** When the broker routed it (ms since the epoch, by the server's clock). */
  sentAt: number;
  /** Present when the command had `args` too long to keep (MAX_LOGGED_ARGS_LENGTH). */
  argsOmitted?: true;
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
  ...agentCommandSchema.shape,
  sentAt: epochMs,
  argsOmitted: z.optional(z.literal(true)),
  replies: z.array(loggedReplySchema),
});
