import { useAuditLog, type AuditEntry } from '../../api/get-audit';
import { auditActionLabel } from '../../lib/audit-actions';
import { formatDateTime, isoTime } from '../../lib/format';
import { ErrorMessage } from '../error-message';

// Longer details (a rules change carries both lists) fold away behind a disclosure.
const INLINE_DETAIL_CHARS = 80;

export function AuditView() {
  const audit = useAuditLog();
  const entries = audit.data?.pages.flatMap((page) => page.entries);

  return (
    <div className="admin-section">
      <div className="admin-section__header">
        <h3 className="admin-section__title">Audit log</h3>
        <span className="muted">Who changed what, newest first</span>
        <button
          type="button"
          className="button button--small"
          disabled={audit.isFetching}
          onClick={() => void audit.refetch()}
        >
          Refresh
        </button>
      </div>
      {audit.isPending && <p className="muted">Loading the audit log…</p>}
      {audit.error && <ErrorMessage error={audit.error} action="Could not load the audit log" />}
      {entries && entries.length === 0 && <p className="muted">Nothing has been changed yet.</p>}
      {entries && entries.length > 0 && (
        <table className="admin-table">
          <caption className="visually-hidden">Audit log</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <AuditRow key={entry.id} entry={entry} />
            ))}
          </tbody>
        </table>
      )}
      {audit.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={audit.isFetchingNextPage}
          onClick={() => void audit.fetchNextPage()}
        >
          {audit.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
        </button>
      )}
      {entries && entries.length > 0 && !audit.hasNextPage && (
        <p className="muted">Beginning of the log.</p>
      )}
    </div>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const detail = Object.keys(entry.detail).length === 0 ? '' : JSON.stringify(entry.detail);
  return (
    <tr>
      <th scope="row" data-label="When">
        <time dateTime={isoTime(entry.at)}>{formatDateTime(entry.at)}</time>
      </th>
      <td data-label="Who">{entry.actor}</td>
      <td data-label="What">
        {auditActionLabel(entry.action)} <code className="muted">{entry.action}</code>
      </td>
      <td data-label="Target">
        <code>{entry.target}</code>
      </td>
      <td data-label="Details">
        {detail.length <= INLINE_DETAIL_CHARS ? (
          <code className="audit-detail">{detail}</code>
        ) : (
          <details className="admin-details">
            <summary>Show</summary>
            <pre className="audit-detail">{JSON.stringify(entry.detail, null, 2)}</pre>
          </details>
        )}
      </td>
    </tr>
  );
}
