import { useAuditLog, type AuditEntry } from '../../api/get-audit';
import { auditActionLabel, auditActorLabel } from '../../lib/audit-actions';
import { formatDateTime, isoTime } from '../../lib/format';
import { AdminTable, type AdminColumn } from '../admin-table';
import { QueryStatus } from '../query-status';

// Longer details (a rules change carries both lists) fold away behind a disclosure.
const INLINE_DETAIL_CHARS = 80;

const COLUMNS: readonly AdminColumn<AuditEntry>[] = [
  {
    header: 'When',
    cell: (entry) => <time dateTime={isoTime(entry.at)}>{formatDateTime(entry.at)}</time>,
  },
  { header: 'Who', cell: (entry) => auditActorLabel(entry.actor) },
  {
    header: 'What',
    cell: (entry) => (
      <>
        {auditActionLabel(entry.action)} <code className="muted">{entry.action}</code>
      </>
    ),
  },
  { header: 'Target', cell: (entry) => <code>{entry.target}</code> },
  { header: 'Details', cell: (entry) => <AuditDetail detail={entry.detail} /> },
];

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
      <QueryStatus
        query={audit}
        loading="Loading the audit log…"
        failed="Could not load the audit log"
      />
      {entries && (
        <AdminTable
          caption="Audit log"
          columns={COLUMNS}
          rows={entries}
          rowKey={(entry) => entry.id}
          empty="Nothing has been changed yet."
        />
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

function AuditDetail({ detail }: { detail: AuditEntry['detail'] }) {
  const inline = Object.keys(detail).length === 0 ? '' : JSON.stringify(detail);
  return inline.length <= INLINE_DETAIL_CHARS ? (
    <code className="audit-detail">{inline}</code>
  ) : (
    <details className="admin-details">
      <summary>Show</summary>
      <pre className="audit-detail">{JSON.stringify(detail, null, 2)}</pre>
    </details>
  );
}
