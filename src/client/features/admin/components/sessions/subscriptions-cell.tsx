import { MAX_QUEUE_COUNT } from '../../../../../shared/admin-api';
/** A count that opens into the filters: rows stay one line until someone asks. */
export function SubscriptionsCell({ filters }: { filters: readonly string[] }) {
  if (filters.length === 0) return <span className="muted">none</span>;
  return (
    <details className="admin-details">
      <summary>
        {filters.length} {filters.length === 1 ? 'filter' : 'filters'}
      </summary>
      <ul className="admin-list">
        {filters.map((filter) => (
          <li key={filter}>
            <code>{filter}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

// The server stops counting a queue at MAX_QUEUE_COUNT (walking it costs): "10000+".
export function formatQueued(queued: number): string {
  return queued >= MAX_QUEUE_COUNT ? `${MAX_QUEUE_COUNT}+` : String(queued);
}
