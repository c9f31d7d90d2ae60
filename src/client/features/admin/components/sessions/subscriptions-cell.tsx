import { MAX_QUEUE_COUNT } from '../../../../../shared/admin-api';
import type { StoredSession } from '../../api/get-sessions';
import type { AdminColumn } from '../admin-table';

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

/** What waits for a client, live or away: both session tables show it the same way. */
export const WAITING_COLUMNS: readonly AdminColumn<
  Pick<StoredSession, 'subscriptions' | 'queued'>
>[] = [
  {
    header: 'Subscriptions',
    cell: (session) => <SubscriptionsCell filters={session.subscriptions} />,
  },
  { header: 'Queued', cell: (session) => formatQueued(session.queued) },
];
