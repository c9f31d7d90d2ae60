import type { AgentStatus } from '../../../../shared/schemas';
import type { PublishRefusal } from '../../../lib/mqtt/publish-refusal';
import type { CommandDelivery, ReceivedReply } from '../stores/agent-commands-store';

// A live agent answers 'accepted' as soon as the command reaches it, so a silence this long
// after the PUBACK means it is not answering now. MQTT 3.1.1 has no negative PUBACK: a
// command the broker refuses (ACL, payload checks) is acknowledged and dropped
// [MQTT-3.3.5-2]. One sent while the agent is away is dropped if it connects with a clean
// session, but queued by the broker and run on its return if it keeps its session
// (clean: false, QoS 1 inbox subscription): "no reply" is never final, and a reply,
// however late, still settles the command.
export const COMMAND_REPLY_WAIT_MS = 10_000;

// Once an agent has accepted a command, its `done` or `failed` is waited for this long: the
// board's commands (pause, resume, cancel, ping) take an agent moments, and a minute without
// a word is when the board calls an agent stale (AGENT_STALE_AFTER_MS). Past it the agent
// may be hung, or have restarted without the command (a fresh session forgets it); like "no
// reply", never final: a result, however late, settles the command.
export const COMMAND_RESULT_WAIT_MS = 60_000;

export type CommandOutcome =
  /** not yet acknowledged by the broker (in the outbox) */
  | { kind: 'pending' }
  /** acknowledged; a reply may still come until `deadline` */
  | { kind: 'awaiting-reply'; deadline: number }
  /**
   * acknowledged, and no reply for now: the agent's last-known state is offline (it may run
   * the command when it is back), or it stayed silent past the deadline (away, or the
   * command was refused)
   */
  | { kind: 'no-reply'; reason: 'agent-offline' | 'timed-out' }
  /** refused by an MQTT 5 broker's PUBACK, or unsendable: it never reached the agent */
  | { kind: 'refused'; refusal: PublishRefusal }
  /** accepted by the agent; its result may still come until `deadline` */
  | { kind: 'accepted'; reply: ReceivedReply; deadline: number }
  /**
   * accepted, and no result for now: the agent went offline after accepting it (a later
   * result still wins), or it stayed silent past the deadline
   */
  | { kind: 'unfinished'; reply: ReceivedReply; reason: 'agent-went-offline' | 'timed-out' }
  /** the agent's result (done or failed); or, for replies shown on their own, the latest */
  | { kind: 'replied'; reply: ReceivedReply };

export interface CommandOutcomeInput {
  command: CommandDelivery;
  /** the command's replies in arrival order */
  replies: readonly ReceivedReply[] | undefined;
  /** the agent's last-known status; undefined when it never reported one */
  agentStatus: AgentStatus | undefined;
  /**
   * When the agent last went offline as far as this tab knows (its offline state's time, on
   * this device's clock), though it may be back since; undefined when not known.
   */
  agentWentOfflineAt: number | undefined;
  /**
   * When the server saw the agent go offline after accepting this command and before
   * finishing it (on this device's clock), so a page opened since tells it too; undefined
   * when it did not.
   */
  agentLeftAt: number | undefined;
  now: number;
}

/** Where a command the user sent stands. A reply always wins, however late it comes. */
export function commandOutcome({
  command,
  replies,
  agentStatus,
  agentWentOfflineAt,
  agentLeftAt,
  now,
}: CommandOutcomeInput): CommandOutcome {
  const result = replies?.findLast((reply) => reply.status !== 'accepted');
  if (result) return { kind: 'replied', reply: result };
  const accepted = replies?.at(-1);
  if (accepted) return acceptedOutcome(accepted, agentWentOfflineAt, agentLeftAt, now);
  if (command.delivery === 'pending') return { kind: 'pending' };
  if (command.delivery === 'refused') return { kind: 'refused', refusal: command.refusal };
  if (agentStatus === 'offline') return { kind: 'no-reply', reason: 'agent-offline' };
  const deadline = command.ackedAt + COMMAND_REPLY_WAIT_MS;
  return now < deadline
    ? { kind: 'awaiting-reply', deadline }
    : { kind: 'no-reply', reason: 'timed-out' };
}

// An offline state older than the acceptance is one the agent has come back from since,
// without saying so in a new state: it says nothing about the command. The server marks a
// command when it takes in the offline state after the acceptance, often in the same
// millisecond (one batch), so its mark counts from the acceptance's time on; an acceptance
// after it is the agent back at the command.
function acceptedOutcome(
  accepted: ReceivedReply,
  agentWentOfflineAt: number | undefined,
  agentLeftAt: number | undefined,
  now: number,
): CommandOutcome {
  const wentOffline =
    (agentWentOfflineAt !== undefined && agentWentOfflineAt > accepted.receivedAt) ||
    (agentLeftAt !== undefined && agentLeftAt >= accepted.receivedAt);
  if (wentOffline) {
    return { kind: 'unfinished', reply: accepted, reason: 'agent-went-offline' };
  }
  const deadline = accepted.receivedAt + COMMAND_RESULT_WAIT_MS;
  return now < deadline
    ? { kind: 'accepted', reply: accepted, deadline }
    : { kind: 'unfinished', reply: accepted, reason: 'timed-out' };
}

/** The earliest moment one of these outcomes changes by itself; undefined if none will. */
export function nextDeadline(outcomes: readonly CommandOutcome[]): number | undefined {
  let earliest: number | undefined;
  for (const outcome of outcomes) {
    if (outcome.kind !== 'awaiting-reply' && outcome.kind !== 'accepted') continue;
    if (earliest === undefined || outcome.deadline < earliest) earliest = outcome.deadline;
  }
  return earliest;
}
