import { useId, useState } from 'react';
import { useTokens } from '../../api/get-tokens';
import { useUsers } from '../../api/get-users';
import type { Revocation } from '../../api/revoke-token';
import { useRevokeUserTokens } from '../../api/revoke-user-tokens';
import { ConfirmButton } from '../confirm-button';
import { ErrorMessage } from '../error-message';
import { TokenRow } from './token-row';

export function TokensView() {
  const [user, setUser] = useState<string | null>(null);
  const [result, setResult] = useState<Revocation | null>(null);
  const tokens = useTokens(user);
  const users = useUsers();
  const revokeAll = useRevokeUserTokens();
  const ids = useId();

  return (
    <div className="admin-section">
      <div className="admin-section__header">
        <h3 className="admin-section__title">Tokens</h3>
        <span className="muted">Temporary broker credentials that have not expired</span>
      </div>
      <div className="admin-actions admin-actions--end">
        <div className="field">
          <label className="field__label" htmlFor={`${ids}-user`}>
            User
          </label>
          <select
            id={`${ids}-user`}
            value={user ?? ''}
            onChange={(event) => {
              setUser(event.target.value === '' ? null : event.target.value);
              revokeAll.reset();
            }}
          >
            <option value="">All users</option>
            {users.data?.map((u) => (
              <option key={u.user} value={u.user}>
                {u.user}
              </option>
            ))}
          </select>
        </div>
        {user !== null && (
          <ConfirmButton
            label={`Revoke all of ${user}'s tokens`}
            question={`Revoke every token of ${user}? Their connections close now; the app signs in again only with their password.`}
            confirmLabel="Revoke all"
            busy={revokeAll.isPending}
            onConfirm={() => revokeAll.mutate(user, { onSuccess: setResult })}
          />
        )}
      </div>
      {revokeAll.error && (
        <ErrorMessage error={revokeAll.error} action={`Could not revoke ${user ?? ''}'s tokens`} />
      )}
      <p className="notice" role="status" hidden={result === null}>
        {result && describeRevocation(result)}
      </p>
      {tokens.isPending && <p className="muted">Loading tokens…</p>}
      {tokens.error && <ErrorMessage error={tokens.error} action="Could not load tokens" />}
      {tokens.data && tokens.data.length === 0 && (
        <p className="muted">No live tokens{user === null ? '' : ` for ${user}`}.</p>
      )}
      {tokens.data && tokens.data.length > 0 && (
        <table className="admin-table">
          <caption className="visually-hidden">Live tokens</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Client</th>
              <th scope="col">Issued</th>
              <th scope="col">Expires</th>
              <th scope="col">Connections</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => (
              <TokenRow key={token.jti} token={token} onRevoked={setResult} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function describeRevocation({ revoked, disconnected }: Revocation): string {
  const tokens = `${revoked.length} ${revoked.length === 1 ? 'token' : 'tokens'}`;
  const connections = `${disconnected} ${disconnected === 1 ? 'connection' : 'connections'}`;
  return `Revoked ${tokens}; ${connections} closed.`;
}
