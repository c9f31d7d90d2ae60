import type { LoggedCommand } from '../../../../shared/agent-commands-api';
import type { AgentStatus } from '../../../../shared/schemas';
import {
  MAX_REPLIES_PER_COMMAND,
  type CommandDelivery,
  type ReceivedReply,
  type SentCommand,
} from '../stores/agent-commands-store';
import { commandOutcome, type CommandOutcome } from './command-outcome';

/** One command of an agent's log, as the detail view shows it. */
export interface CommandLogEntry {
  id: string;
  command: string;
  /** Who sent it (the broker checked it is the publisher). */
  from: string;
  /** When it was sent, by this device's clock. */
  sentAt: number;
  outcome: CommandOutcome;
}

/** A reply heard live to a command the log does not hold (nor this tab sent). */
export interface UnmatchedReply {
  commandId: string;
  latest: ReceivedReply;
}

export interface CommandLogInput {
  agent: string;
  /** The signed-in user: who sent this tab's commands. */
  me: string;
  /** The server's log of the agent, newest first; undefined until it came. */
  logged: readonly LoggedCommand[] | undefined;
  /** How far the server's clock runs ahead of this device's (ms; negative: behind). */
  serverAheadMs: number;
  /** This tab's commands, to any agent. */
  sent: Readonly<Record<string, SentCommand>>;
  /** Replies heard live, by command id, to any agent's commands. */
  heard: Readonly<Record<string, readonly ReceivedReply[]>>;
  agentStatus: AgentStatus | undefined;
  /** When the agent last went offline (its offline state's updatedAt, server time), if known. */
  agentWentOfflineAt: number | undefined;
  now: number;
}

interface Merged {
  id: string;
  command: string;
  from: string;
  sentAt: number;
  delivery: CommandDelivery;
  replies: ReceivedReply[];
  /** When the server saw the agent leave it unfinished, on this device's clock. */
  agentLeftAt: number | undefined;
}

const sameReply = (a: ReceivedReply, b: ReceivedReply) =>
  a.status === b.status && a.detail === b.detail;

/**
 * The agent's commands, newest first, each with its outcome as of `now`: what the server
 * logged (every dashboard's commands, before this page was loaded too) and what this tab
 * sent that it may not have yet (in the outbox, refused), each once, with the replies the
 * server logged and those heard live since, each once. Server times are put on this
 * device's clock, so "12 s ago" and the wait for a reply read alike for all of them.
 */
export function mergeCommandLog(input: CommandLogInput): {
  entries: CommandLogEntry[];
  unmatched: UnmatchedReply[];
} {
  const { agent, serverAheadMs } = input;
  const local = (serverTime: number) => serverTime - serverAheadMs;
  const merged = new Map<string, Merged>();
  for (const logged of input.logged ?? []) {
    const sentAt = local(logged.sentAt);
    merged.set(logged.id, {
      id: logged.id,
      command: logged.command,
      from: logged.from,
      sentAt,
      // The broker routed it, so it acknowledged it then.
      delivery: { delivery: 'sent', ackedAt: sentAt },
      replies: logged.replies.map((reply) => ({
        ...reply,
        commandId: logged.id,
        agent,
        receivedAt: local(reply.receivedAt),
      })),
      agentLeftAt: logged.agentLeftAt === undefined ? undefined : local(logged.agentLeftAt),
    });
  }
  for (const sent of Object.values(input.sent)) {
    if (sent.agent !== agent) continue;
    const logged = merged.get(sent.id);
    // Logged, it was acknowledged, whether or not its PUBACK has come back yet.
    const delivery = logged && sent.delivery === 'pending' ? logged.delivery : sent;
    merged.set(sent.id, {
      id: sent.id,
      command: sent.command,
      from: input.me,
      sentAt: sent.sentAt, // by this device's clock already, as it shows its own
      delivery,
      replies: logged?.replies ?? [],
      agentLeftAt: logged?.agentLeftAt,
    });
  }

  const unmatched: UnmatchedReply[] = [];
  for (const [commandId, heard] of Object.entries(input.heard)) {
    const own = heard.filter((reply) => reply.agent === agent);
    const entry = merged.get(commandId);
    if (entry) {
      for (const reply of own) {
        if (!entry.replies.some((kept) => sameReply(kept, reply))) entry.replies.push(reply);
      }
      entry.replies = entry.replies.slice(-MAX_REPLIES_PER_COMMAND);
    } else {
      const latest = own.at(-1);
      if (latest) unmatched.push({ commandId, latest });
    }
  }

  const wentOfflineAt =
    input.agentWentOfflineAt === undefined ? undefined : local(input.agentWentOfflineAt);
  const entries = [...merged.values()]
    .sort((a, b) => b.sentAt - a.sentAt)
    .map(({ id, command, from, sentAt, delivery, replies, agentLeftAt }): CommandLogEntry => ({
      id,
      command,
      from,
      sentAt,
      outcome: commandOutcome({
        command: delivery,
        replies,
        agentStatus: input.agentStatus,
        agentWentOfflineAt: wentOfflineAt,
        agentLeftAt,
        now: input.now,
      }),
    }));
  return { entries, unmatched };
}
