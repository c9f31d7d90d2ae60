import type { AgentStatus } from '../../../../shared/schemas';

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  return <span className={`agent-status agent-status--${status}`}>{status}</span>;
}

export function ProgressBar({ value, label }: { value: number | undefined; label: string }) {
  if (value === undefined) return null;
  const rounded = Math.round(value);
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={rounded}
    >
      <div className="progress__bar" style={{ transform: `scaleX(${rounded / 100})` }} />
    </div>
  );
}
