import type { AgentStatus } from '../../../../shared/schemas';
import { formatProgress } from '../lib/board-view';

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  return <span className={`agent-status agent-status--${status}`}>{status}</span>;
}

/** The bar, and with `withText` its number beside it ("99 %"), as formatProgress says. */
export function ProgressBar({
  value,
  label,
  withText = false,
}: {
  value: number | undefined;
  label: string;
  withText?: boolean;
}) {
  if (value === undefined) return null;
  const { percent, text } = formatProgress(value);
  const bar = (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={text}
    >
      <div className="progress__bar" style={{ transform: `scaleX(${percent / 100})` }} />
    </div>
  );
  if (!withText) return bar;
  return (
    <span className="progress-meter">
      {bar}
      {/* The bar says it already (aria-valuetext): read once. */}
      <span className="progress-meter__text" aria-hidden="true">
        {text}
      </span>
    </span>
  );
}
