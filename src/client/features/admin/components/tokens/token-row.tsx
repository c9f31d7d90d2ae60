import type { IssuedToken } from '../../api/get-tokens';
import { useRevokeToken, type Revocation } from '../../api/revoke-token';
import { formatDateTime, isoTime } from '../../lib/format';
import { ErrorMessage } from '../error-message';

export function TokenRow({
  token,
  onRevoked,
}: {
  token: IssuedToken;
  onRevoked(result: Revocation): void;
}) {
  const revoke = useRevokeToken();
  return (
    <tr>
      <th scope="row" data-label="User">
        {token.user}
      </th>
      <td data-label="Client">
        <code>{token.clientId}</code>
      </td>
      <td data-label="Issued">
        <time dateTime={isoTime(token.issuedAt)}>{formatDateTime(token.issuedAt)}</time>
      </td>
      <td data-label="Expires">
        <time dateTime={isoTime(token.expiresAt)}>{formatDateTime(token.expiresAt)}</time>
      </td>
      <td data-label="Connections">{token.connections}</td>
      <td data-label="Actions">
        <button
          type="button"
          className="button button--small button--danger-quiet"
          aria-label={`Revoke ${token.user}'s token for ${token.clientId}`}
          disabled={revoke.isPending}
          onClick={() => revoke.mutate(token.jti, { onSuccess: onRevoked })}
        >
          {revoke.isPending ? 'Revoking…' : 'Revoke'}
        </button>
        {revoke.error && <ErrorMessage error={revoke.error} action="Could not revoke" />}
      </td>
    </tr>
  );
}
