import type { BrokerHealth } from '../../api/get-health';
import { HEALTH_POLL_MS } from '../../api/get-health';
import { useHealthSamples } from '../../hooks/use-health-samples';
import { formatBytes, formatDuration, formatRate } from '../../lib/format';
import { MAX_HEALTH_SAMPLES } from '../../lib/health-samples';
import { ErrorMessage } from '../error-message';
import { Sparkline } from './sparkline';

interface Metric {
  label: string;
  value(health: BrokerHealth): number;
  format(value: number): string;
}

const METRICS: readonly Metric[] = [
  { label: 'Messages in per second', value: (h) => h.messagesInPerSecond, format: formatRate },
  { label: 'Messages out per second', value: (h) => h.messagesOutPerSecond, format: formatRate },
  { label: 'Connections', value: (h) => h.connections, format: String },
  { label: 'Subscriptions', value: (h) => h.subscriptions, format: String },
  { label: 'Retained messages', value: (h) => h.retained, format: String },
  { label: 'Memory (RSS)', value: (h) => h.memory.rssBytes, format: formatBytes },
];

const WINDOW_TEXT = `the last ${(MAX_HEALTH_SAMPLES * HEALTH_POLL_MS) / 60_000} minutes`;

export function HealthView() {
  const { query, samples } = useHealthSamples();
  const latest = samples.at(-1)?.health;

  return (
    <div className="admin-section">
      <div className="admin-section__header">
        <h3 className="admin-section__title">Broker health</h3>
        <span className="muted">
          This org&apos;s figures, every {HEALTH_POLL_MS / 1_000} s; memory and uptime are the
          server process&apos;s
        </span>
      </div>
      {query.error && <ErrorMessage error={query.error} action="Could not load health" />}
      {!latest && query.isPending && <p className="muted">Loading health…</p>}
      {latest && (
        <ul className="health-grid" aria-label="Broker health">
          {METRICS.map((metric) => {
            const values = samples.map((s) => metric.value(s.health));
            const now = metric.format(metric.value(latest));
            return (
              <li key={metric.label} className="health-card">
                <h4 className="health-card__label">{metric.label}</h4>
                <p className="health-card__value">{now}</p>
                <Sparkline
                  values={values}
                  label={`${metric.label} over ${WINDOW_TEXT}: now ${now}, highest ${metric.format(Math.max(...values))}`}
                />
              </li>
            );
          })}
          <li className="health-card">
            <h4 className="health-card__label">Uptime</h4>
            <p className="health-card__value">{formatDuration(latest.uptimeSeconds)}</p>
            <p className="muted">Heap used {formatBytes(latest.memory.heapUsedBytes)}</p>
          </li>
        </ul>
      )}
    </div>
  );
}
