import type { SessionRef } from '../../api/disconnect-session';
import type { LiveSession } from '../../api/get-sessions';
import { formatDateTime, isoTime, protocolName, transportName } from '../../lib/format';
import { formatQueued, SubscriptionsCell } from './subscriptions-cell';

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
  return (
    <table className="admin-table">
      <caption className="visually-hidden">Live connections</caption>
      <thead>
        <tr>
          <th scope="col">Client id</th>
          <th scope="col">User</th>
          <th scope="col">Address</th>
          <th scope="col">Transport</th>
          <th scope="col">Protocol</th>
          <th scope="col">Connected since</th>
          <th scope="col">Subscriptions</th>
          <th scope="col">Queued</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((session) => (
          <tr key={`${session.user}/${session.clientId}/${session.connectedAt}`}>
            <th scope="row" data-label="Client id">
              <code>{session.clientId}</code>
            </th>
            <td data-label="User">{session.user}</td>
            <td data-label="Address">{session.address}</td>
            <td data-label="Transport">{transportName(session.transport, session.secure)}</td>
            <td data-label="Protocol">
              {protocolName(session.protocolVersion)}
              {session.persistent && <span className="muted"> · persistent</span>}
            </td>
            <td data-label="Connected since">
              <time dateTime={isoTime(session.connectedAt)}>
                {formatDateTime(session.connectedAt)}
              </time>
            </td>
            <td data-label="Subscriptions">
              <SubscriptionsCell filters={session.subscriptions} />
            </td>
            <td data-label="Queued">{formatQueued(session.queued)}</td>
            <td data-label="Actions">
              <button
                type="button"
                className="button button--small button--danger-quiet"
                aria-label={`Disconnect ${session.clientId} (${session.user})`}
                disabled={sameSession(pending, session)}
                onClick={() => onDisconnect(session)}
              >
                {sameSession(pending, session) ? 'Disconnecting…' : 'Disconnect'}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
