import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import {
  MAX_LOGGED_COMMANDS_PER_AGENT,
  MAX_LOGGED_REPLIES_PER_COMMAND,
  type AgentCommandLog,
  type LoggedCommand,
  type LoggedReply,
} from '../../shared/agent-commands-api';
import type { AgentCommand, AgentReply } from '../../shared/schemas';
import { StorageError } from './storage-error';
import { assertId } from './validate';

/**
 * Each agent's recent commands, as the broker routed them to its inbox, with the replies
 * the agent gave them: the last MAX_LOGGED_COMMANDS_PER_AGENT per agent (the oldest go as
 * one is written), none older than the retention period (`prune`). Without their args,
 * which may hold a secret for the agent alone: only whether there were some.
 */
export interface AgentCommandStore {
  /**
   * Keeps a command once per (org, agent, id): a QoS 1 redelivery is the same command, and
   * another one under a kept id is not kept (its replies could not be told apart; the
   * broker routes it nowhere). Returns true when it was new.
   * @throws StorageError invalid_id | invalid_argument (args that cannot be digested)
   */
  recordCommand(org: string, agent: string, command: AgentCommand, receivedAt?: number): boolean;
  /**
   * Whether the agent's log holds this very command: its id with the same sender, command
   * and args (a resend), not another command under that id.
   * @throws StorageError invalid_argument (args that cannot be digested)
   */
  holds(org: string, agent: string, command: AgentCommand): boolean;
  /**
   * Keeps a reply with the agent's command it names, unless that command holds this very
   * reply already (a redelivery). Returns false when nothing was kept: no such command
   * in the agent's log (pruned, from before the log, or never sent to it), or a redelivery.
   */
  recordReply(org: string, agent: string, reply: AgentReply, receivedAt?: number): boolean;
  /**
   * The agent went offline (its offline state, taken in at `at`): marks each of its commands
   * whose replies hold an accepted and no done or failed as left unfinished then, unless
   * marked already (the earliest is kept). Returns how many were marked.
   */
  markAgentLeft(org: string, agent: string, at?: number): number;
  /**
   * A page of the agent's commands, newest first, each with its replies oldest first.
   * @throws StorageError invalid_cursor | invalid_argument
   */
  page(org: string, agent: string, options: { before?: string; limit: number }): AgentCommandLog;
  /** Deletes commands (and their replies) received before `olderThanMs`; returns how many. */
  prune(olderThanMs: number): number;
  /**
   * Deletes the agent's whole log (its user removed): an agent created again under the id
   * does not show the commands the removed one got. Returns how many commands went.
   */
  forgetAgent(org: string, agent: string): number;
}

interface CommandRow {
  seq: number;
  id: string;
  sender: string;
  command: string;
  args_digest: string | null;
  received_at: number;
  agent_left_at: number | null;
}

interface ReplyRow {
  command_seq: number;
  status: AgentReply['status'];
  detail: string | null;
  received_at: number;
}

function decodeCursor(cursor: string): number {
  const seq = /^[1-9][0-9]{0,15}$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new StorageError('invalid_cursor', `"${cursor}" is not a command log cursor`);
  }
  return seq;
}

function toReply(row: ReplyRow): LoggedReply {
  return {
    status: row.status,
    ...(row.detail === null ? {} : { detail: row.detail }),
    receivedAt: row.received_at,
  };
}

/**
 * What is kept of a command's args: enough to tell them from others, nothing to read them
 * by. Over the command's place and id too, so that the same args sent twice do not show as
 * such in the file. Args are the payload's, parsed: a resend (the same bytes) digests alike.
 * Written out again rather than taken as the payload's bytes: the digests kept by earlier
 * versions stay comparable, and the store is given commands, not payloads (the contract
 * bounds how deep args nest, MAX_ARGS_DEPTH, so they can be written out again).
 *
 * @throws StorageError invalid_argument when the args cannot be written out (nested too
 *   deep): the input is refused, the store has not failed.
 */
function argsDigest(org: string, agent: string, command: AgentCommand): string | null {
  if (command.args === undefined) return null;
  let text: string;
  try {
    text = JSON.stringify([org, agent, command.id, command.args]);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new StorageError('invalid_argument', `the command's args cannot be digested: ${detail}`);
  }
  return createHash('sha256').update(text).digest('hex');
}

/** The statements whose query plans matter, as the store prepares them (tests EXPLAIN them). */
export const PLANNED_SQL = {
  // Walks the partial index agent_commands_unfinished: only the commands it marks. The
  // planner takes it only where it can see this WHERE implies the index's, term by term:
  // `awaiting_result <> 0`, alike on these rows, would walk every command of the agent.
  markLeft: `UPDATE agent_commands SET agent_left_at = ?
     WHERE org_id = ? AND agent_id = ? AND awaiting_result = 1 AND agent_left_at IS NULL`,
};

export function createAgentCommandStore(db: Database, now: () => number): AgentCommandStore {
  const insertCommand = db.prepare<[string, string, string, string, string, string | null, number]>(
    `INSERT OR IGNORE INTO agent_commands
       (org_id, agent_id, id, sender, command, args_digest, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectKept = db.prepare<
    [string, string, string],
    Pick<CommandRow, 'sender' | 'command' | 'args_digest'>
  >(
    `SELECT sender, command, args_digest FROM agent_commands
     WHERE org_id = ? AND agent_id = ? AND id = ?`,
  );
  // Everything of the agent's from its (MAX + 1)th newest back: an index walk of MAX rows.
  const trimCommands = db.prepare<[string, string, string, string, number]>(
    `DELETE FROM agent_commands WHERE org_id = ? AND agent_id = ? AND seq <= (
       SELECT seq FROM agent_commands WHERE org_id = ? AND agent_id = ?
       ORDER BY seq DESC LIMIT 1 OFFSET ?
     )`,
  );
  const insertReply = db.prepare<
    [string, string | null, number, string, string, string, string, string | null],
    { command_seq: number }
  >(
    `INSERT INTO agent_replies (command_seq, status, detail, received_at)
     SELECT c.seq, ?, ?, ? FROM agent_commands c
     WHERE c.org_id = ? AND c.agent_id = ? AND c.id = ?
       AND NOT EXISTS (
         SELECT 1 FROM agent_replies r WHERE r.command_seq = c.seq AND r.status = ? AND r.detail IS ?
       )
     RETURNING command_seq`,
  );
  const trimReplies = db.prepare<[number, number, number]>(
    `DELETE FROM agent_replies WHERE command_seq = ? AND seq <= (
       SELECT seq FROM agent_replies WHERE command_seq = ? ORDER BY seq DESC LIMIT 1 OFFSET ?
     )`,
  );
  // Once a reply is kept, after the trim: as the replies served say. Without a done or a
  // failed among them, those are accepted ones. An `accepted` kept after the agent left
  // (it came back and took the command up again) clears that mark, so its next leaving is
  // marked: else a dashboard loaded then would see the mark before the accepted, and say
  // the command still runs, where one that stayed open says the agent left.
  const syncAwaiting = db.prepare<[{ seq: number; status: string }]>(
    `UPDATE agent_commands
     SET awaiting_result = NOT EXISTS (
           SELECT 1 FROM agent_replies WHERE command_seq = @seq AND status IN ('done', 'failed')
         ),
         agent_left_at = CASE
           WHEN @status = 'accepted' AND NOT EXISTS (
             SELECT 1 FROM agent_replies WHERE command_seq = @seq AND status IN ('done', 'failed')
           ) THEN NULL
           ELSE agent_left_at
         END
     WHERE seq = @seq`,
  );
  const markLeft = db.prepare<[number, string, string]>(PLANNED_SQL.markLeft);
  // Newest first with one extra row to learn whether an older page exists.
  const selectCommands = db.prepare<[string, string, number, number], CommandRow>(
    `SELECT seq, id, sender, command, args_digest, received_at, agent_left_at FROM agent_commands
     WHERE org_id = ? AND agent_id = ? AND seq < ?
     ORDER BY seq DESC LIMIT ?`,
  );
  const selectReplies = db.prepare<[string], ReplyRow>(
    `SELECT command_seq, status, detail, received_at FROM agent_replies
     WHERE command_seq IN (SELECT value FROM json_each(?))
     ORDER BY command_seq, seq`,
  );
  const deleteOld = db.prepare('DELETE FROM agent_commands WHERE received_at < ?');
  const deleteOfAgent = db.prepare<[string, string]>(
    'DELETE FROM agent_commands WHERE org_id = ? AND agent_id = ?',
  );

  const recordCommand = db.transaction(
    (org: string, agent: string, command: AgentCommand, receivedAt: number): boolean => {
      const { changes } = insertCommand.run(
        org,
        agent,
        command.id,
        command.from,
        command.command,
        argsDigest(org, agent, command),
        Math.trunc(receivedAt),
      );
      if (changes === 0) return false;
      trimCommands.run(org, agent, org, agent, MAX_LOGGED_COMMANDS_PER_AGENT);
      return true;
    },
  );

  const recordReply = db.transaction(
    (org: string, agent: string, reply: AgentReply, receivedAt: number): boolean => {
      const detail = reply.detail ?? null;
      const kept = insertReply.get(
        reply.status,
        detail,
        Math.trunc(receivedAt),
        org,
        agent,
        reply.commandId,
        reply.status,
        detail,
      );
      if (!kept) return false;
      trimReplies.run(kept.command_seq, kept.command_seq, MAX_LOGGED_REPLIES_PER_COMMAND);
      syncAwaiting.run({ seq: kept.command_seq, status: reply.status });
      return true;
    },
  );

  // One snapshot: the replies listed are those of the commands listed, though the broker
  // records meanwhile (another connection to the file, in the CLI's case another process).
  const page = db.transaction(
    (org: string, agent: string, beforeSeq: number, limit: number): AgentCommandLog => {
      const rows = selectCommands.all(org, agent, beforeSeq, limit + 1);
      const pageRows = rows.slice(0, limit);
      const replies = new Map<number, LoggedReply[]>();
      if (pageRows.length > 0) {
        const seqs = JSON.stringify(pageRows.map((row) => row.seq));
        for (const row of selectReplies.all(seqs)) {
          const list = replies.get(row.command_seq) ?? [];
          list.push(toReply(row));
          replies.set(row.command_seq, list);
        }
      }
      const last = pageRows[pageRows.length - 1];
      return {
        commands: pageRows.map((row): LoggedCommand => ({
          id: row.id,
          command: row.command,
          from: row.sender,
          sentAt: row.received_at,
          ...(row.args_digest === null ? {} : { hasArgs: true as const }),
          ...(row.agent_left_at === null ? {} : { agentLeftAt: row.agent_left_at }),
          replies: replies.get(row.seq) ?? [],
        })),
        nextCursor: rows.length > limit && last ? String(last.seq) : null,
      };
    },
  );

  return {
    recordCommand(org, agent, command, receivedAt = now()) {
      assertId('org', org);
      assertId('agent', agent);
      return recordCommand(org, agent, command, receivedAt);
    },
    holds(org, agent, command) {
      const kept = selectKept.get(org, agent, command.id);
      return (
        kept !== undefined &&
        kept.sender === command.from &&
        kept.command === command.command &&
        kept.args_digest === argsDigest(org, agent, command)
      );
    },
    recordReply(org, agent, reply, receivedAt = now()) {
      assertId('org', org);
      assertId('agent', agent);
      return recordReply(org, agent, reply, receivedAt);
    },
    markAgentLeft: (org, agent, at = now()) => markLeft.run(Math.trunc(at), org, agent).changes,
    page(org, agent, { before, limit }) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOGGED_COMMANDS_PER_AGENT) {
        throw new StorageError(
          'invalid_argument',
          `limit must be 1-${MAX_LOGGED_COMMANDS_PER_AGENT}`,
        );
      }
      const beforeSeq = before === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(before);
      return page(org, agent, beforeSeq, limit);
    },
    prune: (olderThanMs) => deleteOld.run(Math.trunc(olderThanMs)).changes,
    forgetAgent: (org, agent) => deleteOfAgent.run(org, agent).changes,
  };
}
