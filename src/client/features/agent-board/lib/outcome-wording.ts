import { displayText } from '../../../lib/display-text';
import { refusalReason } from '../../../lib/mqtt/publish-refusal';
import {
  COMMAND_REPLY_WAIT_MS,
  COMMAND_RESULT_WAIT_MS,
  type CommandOutcome,
} from './command-outcome';

/** A command's outcome in words, as the command logs show it and the detail announces it. */
export function describeOutcome(outcome: CommandOutcome): { text: string; tone?: string } {
  switch (outcome.kind) {
    case 'pending':
      return { text: 'pending' };
    case 'awaiting-reply':
      return { text: 'sent, no reply yet' };
    case 'no-reply':
      return {
        tone: 'no-reply',
        text:
          // Not "dropped": an agent that keeps its session (clean: false, QoS 1 inbox) gets
          // the command from the broker when it reconnects, runs it and replies then.
          outcome.reason === 'agent-offline'
            ? 'no reply yet: the agent is offline; an agent that keeps its session runs it when it is back'
            : `no reply after ${COMMAND_REPLY_WAIT_MS / 1_000} s: the agent may be offline, or commands to it not allowed`,
      };
    case 'refused':
      return outcome.refusal.by === 'broker'
        ? {
            tone: 'no-reply',
            text: `refused by the broker: ${refusalReason(outcome.refusal.reasonCode)}`,
          }
        : { tone: 'failed', text: `failed, not sent: ${outcome.refusal.reason}` };
    case 'accepted':
    case 'replied':
      return { tone: outcome.reply.status, text: replyText(outcome) };
    case 'unfinished':
      return {
        tone: 'no-reply',
        text:
          outcome.reason === 'agent-went-offline'
            ? `${replyText(outcome)}; the agent went offline before finishing`
            : `${replyText(outcome)}; no result after ${COMMAND_RESULT_WAIT_MS / 1_000} s: the agent may be stuck, or have restarted and lost it`,
      };
  }
}

// The agent's own words, as they read: a bidi control in them could make them say otherwise.
function replyText({ reply: { status, detail } }: { reply: { status: string; detail?: string } }) {
  return detail ? `${status}: ${displayText(detail)}` : status;
}
