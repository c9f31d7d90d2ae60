import { refusalReason } from '../../../lib/mqtt/publish-refusal';
import { COMMAND_REPLY_WAIT_MS, type CommandOutcome } from '../lib/command-outcome';

/** A command's outcome in words, as the command logs show it. */
export function CommandStatus({ outcome }: { outcome: CommandOutcome }) {
  const { text, tone } = describeOutcome(outcome);
  return (
    <span
      className={tone ? `command-log__status command-log__status--${tone}` : 'command-log__status'}
    >
      {text}
    </span>
  );
}

function describeOutcome(outcome: CommandOutcome): { text: string; tone?: string } {
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
    case 'replied': {
      const { status, detail } = outcome.reply;
      return { tone: status, text: detail ? `${status}: ${detail}` : status };
    }
  }
}
