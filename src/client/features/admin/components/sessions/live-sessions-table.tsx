import type { SessionRef } from '../../api/disconnect-session';
import type { LiveSession } from '../../api/get-sessions';
import { formatDateTime, isoTime, protocolName, transportName } from '../../lib/format';
import { AdminTable, type AdminColumn } from '../admin-table';
import { FocusableButton } from '../focusable-button';
import { WAITING_COLUMNS } from './subscriptions-cell';

const sameSession = (a: SessionRef | undefined, b: SessionRef) =>
  a !== undefined && a.clientId === b.clientId && a.user === b.user;

export function LiveSessionsTable({
  sessions,
  pending,
  onDisconnect,
}: {
  sessions: readonly LiveSession[];
  pending: SessionRef | undefined;
  onDisconnect(session: LiveSession): void;
}) {
  const columns: readonly AdminColumn<LiveSession>[] = [
    { header: 'Client id', cell: (session) => <code>{session.clientId}</code> },
    { header: 'User', cell: (session) => session.user },
    { header: 'Address', cell: (session) => session.address },
    { header: 'Transport', cell: (session) => transportName(session.transport, session.secure) },
    {
      header: 'Protocol',
      cell: (session) => (
        <>
          {protocolName(session.protocolVersion)}
          {session.persistent && (
            <>
              {' '}
              <span className="muted">· persistent</span>
            </>
          )}
        </>
      ),
    },
    {
      header: 'Connected since',
      cell: (session) => (
        <time dateTime={isoTime(session.connectedAt)}>{formatDateTime(session.connectedAt)}</time>
      ),
    },
    ...WAITING_COLUMNS,
    {
      header: 'Actions',
      cell: (session) => (
        <FocusableButton
          type="button"
          className="button button--small button--danger-quiet"
          aria-label={`Disconnect ${session.clientId} (${session.user})`}
          unavailable={sameSession(pending, session)}
          onClick={() => onDisconnect(session)}
        >
          {sameSession(pending, session) ? 'Disconnecting…' : 'Disconnect'}
        </FocusableButton>
      ),
    },
  ];
  return (
    <AdminTable
      caption="Live connections"
      columns={columns}
      rows={sessions}
      rowKey={(session) => `${session.user}/${session.clientId}/${session.connectedAt}`}
      empty="Nobody is connected."
    />
  );
}
