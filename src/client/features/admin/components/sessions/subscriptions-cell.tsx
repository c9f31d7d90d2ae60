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

// The server stops counting a queue here (walking it costs); more shows as "10000+".
export const QUEUE_COUNT_CAP = 10_000;

export function formatQueued(queued: number): string {
  return queued >= QUEUE_COUNT_CAP ? `${QUEUE_COUNT_CAP}+` : String(queued);
}
