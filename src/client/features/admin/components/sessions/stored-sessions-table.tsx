import type { SessionRef } from '../../api/disconnect-session';
import type { StoredSession } from '../../api/get-sessions';
import { ConfirmButton } from '../confirm-button';
import { formatQueued, SubscriptionsCell } from './subscriptions-cell';

export function StoredSessionsTable({
  sessions,
  pending,
  onClear,
}: {
  sessions: readonly StoredSession[];
  pending: SessionRef | undefined;
  onClear(session: SessionRef): void;
}) {
  return (
    <table className="admin-table">
      <caption className="visually-hidden">Stored sessions of clients that are away</caption>
      <thead>
        <tr>
          <th scope="col">Client id</th>
          <th scope="col">User</th>
          <th scope="col">Subscriptions</th>
          <th scope="col">Queued</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((session) => (
          <tr key={`${session.user}/${session.clientId}`}>
            <th scope="row" data-label="Client id">
              <code>{session.clientId}</code>
            </th>
            <td data-label="User">{session.user}</td>
            <td data-label="Subscriptions">
              <SubscriptionsCell filters={session.subscriptions} />
            </td>
            <td data-label="Queued">{formatQueued(session.queued)}</td>
            <td data-label="Actions">
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
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
