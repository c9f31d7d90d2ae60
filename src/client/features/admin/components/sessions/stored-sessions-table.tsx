import type { SessionRef } from '../../api/disconnect-session';
import type { StoredSession } from '../../api/get-sessions';
import { AdminTable, type AdminColumn } from '../admin-table';
import { ConfirmButton } from '../confirm-button';
import { formatDateTime, isoTime } from '../../lib/format';
import { formatQueued, WAITING_COLUMNS } from './subscriptions-cell';

export function StoredSessionsTable({
  sessions,
  pending,
  onClear,
}: {
  sessions: readonly StoredSession[];
  pending: SessionRef | undefined;
  onClear(session: SessionRef): void;
}) {
  const columns: readonly AdminColumn<StoredSession>[] = [
    { header: 'Client id', cell: (session) => <code>{session.clientId}</code> },
    { header: 'User', cell: (session) => session.user },
    ...WAITING_COLUMNS,
    {
      header: 'Last seen',
      // null: opened with a password (a device's), or stored before these times were kept.
      cell: (session) =>
        session.lastSeenAt === null ? (
          'does not expire'
        ) : (
          <time dateTime={isoTime(session.lastSeenAt)}>{formatDateTime(session.lastSeenAt)}</time>
        ),
    },
    {
      header: 'Actions',
      cell: (session) => (
        <ConfirmButton
          label="Clear"
          ariaLabel={`Clear ${session.clientId} (${session.user})`}
          question={`Clear ${session.clientId}? Its subscriptions and ${formatQueued(session.queued)} queued messages are dropped.`}
          confirmLabel="Clear session"
          busy={
            pending !== undefined &&
            pending.clientId === session.clientId &&
            pending.user === session.user
          }
          onConfirm={() => onClear({ clientId: session.clientId, user: session.user })}
        />
      ),
    },
  ];
  return (
    <AdminTable
      caption="Stored sessions of clients that are away"
      columns={columns}
      rows={sessions}
      rowKey={(session) => `${session.user}/${session.clientId}`}
      empty="No persistent session is waiting for its client."
    />
  );
}
