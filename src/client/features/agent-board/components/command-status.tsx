import type { CommandOutcome } from '../lib/command-outcome';
import { describeOutcome } from '../lib/outcome-wording';

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
