import { useRef, useState } from 'react';
import { useTokens, type IssuedToken } from '../../api/get-tokens';
import { useUsers } from '../../api/get-users';
import type { Revocation } from '../../api/revoke-token';
import { useRevokeUserTokens } from '../../api/revoke-user-tokens';
import { useFocusAfterRemoval } from '../../hooks/use-focus-after-removal';
import { formatDateTime, isoTime } from '../../lib/format';
import { AdminTable, type AdminColumn } from '../admin-table';
import { ConfirmButton } from '../confirm-button';
import { ErrorMessage } from '../error-message';
import { QueryStatus } from '../query-status';
import { UserSelect } from '../user-select';
import { RevokeTokenButton } from './revoke-token-button';

/** What the latest revocation came to: the numbers, or the server's refusal. */
type Outcome = { revoked: Revocation } | { failed: Error; action: string };

const tokenColumns = (
  onRevoked: (result: Revocation) => void,
  onFailed: (error: Error, action: string) => void,
): AdminColumn<IssuedToken>[] => [
  { header: 'User', cell: (token) => token.user },
  {
    header: 'Client',
    cell: (token) => (
      <>
        <code>{token.clientId}</code>
        {token.currentSignIn && (
          <>
            {' '}
            <span className="muted">(this sign-in)</span>
          </>
        )}
      </>
    ),
  },
  {
    header: 'Issued',
    cell: (token) => (
      <time dateTime={isoTime(token.issuedAt)}>{formatDateTime(token.issuedAt)}</time>
    ),
  },
  {
    header: 'Expires',
    cell: (token) => (
      <time dateTime={isoTime(token.expiresAt)}>{formatDateTime(token.expiresAt)}</time>
    ),
  },
  { header: 'Connections', cell: (token) => token.connections },
  {
    header: 'Actions',
    cell: (token) => <RevokeTokenButton token={token} onRevoked={onRevoked} onFailed={onFailed} />,
  },
];

// The server refuses it (409 cannot_modify_self): it would sign this admin out too.
const OWN_TOKENS_NOTE =
  'You cannot revoke all of your own tokens: it would end this sign-in. Revoke the others one by one, or sign out.';

export function TokensView({ me }: { me: string }) {
  const [user, setUser] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const tokens = useTokens(user);
  const users = useUsers();
  const revokeAll = useRevokeUserTokens();
  const revoked = (result: Revocation) => setOutcome({ revoked: result });
  const failed = (error: Error, action: string) => setOutcome({ failed: error, action });
  const result = outcome && 'revoked' in outcome ? outcome.revoked : null;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const keepFocus = useFocusAfterRemoval(headingRef);

  return (
    <div className="admin-section" ref={keepFocus}>
      <div className="admin-section__header">
        <h3 className="admin-section__title" ref={headingRef} tabIndex={-1}>
          Tokens
        </h3>
        <span className="muted">Temporary broker credentials that have not expired</span>
      </div>
      <div className="admin-actions admin-actions--end">
        <UserSelect
          users={users.data}
          value={user ?? ''}
          anyLabel="All users"
          onChange={(chosen) => {
            setUser(chosen === '' ? null : chosen);
            setOutcome(null);
          }}
        />
        {user !== null && (
          <ConfirmButton
            label={`Revoke all of ${user}'s tokens`}
            question={`Revoke every token of ${user} and end their sign-ins? Their connections close now; the app signs in again only with their password.`}
            confirmLabel="Revoke all"
            disabledReason={user === me ? OWN_TOKENS_NOTE : undefined}
            busy={revokeAll.isPending}
            onConfirm={() =>
              revokeAll.mutate(user, {
                onSuccess: revoked,
                onError: (error) => failed(error, `Could not revoke ${user}'s tokens`),
              })
            }
          />
        )}
      </div>
      {/* Also said here, not only in the disabled button's tooltip, which a keyboard never reaches. */}
      {user !== null && user === me && <p className="muted">{OWN_TOKENS_NOTE}</p>}
      {outcome && 'failed' in outcome && (
        <ErrorMessage error={outcome.failed} action={outcome.action} />
      )}
      <p className="notice" role="status" hidden={result === null}>
        {result && describeRevocation(result)}
      </p>
      <QueryStatus query={tokens} loading="Loading tokens…" failed="Could not load tokens" />
      {tokens.data && (
        <AdminTable
          caption="Live tokens"
          columns={tokenColumns(revoked, failed)}
          rows={tokens.data}
          rowKey={(token) => token.jti}
          empty={`No live tokens${user === null ? '' : ` for ${user}`}.`}
        />
      )}
    </div>
  );
}

export function describeRevocation({ revoked, disconnected, signedOut }: Revocation): string {
  const tokens = `${revoked.length} ${revoked.length === 1 ? 'token' : 'tokens'}`;
  const connections = `${disconnected} ${disconnected === 1 ? 'connection' : 'connections'}`;
  const revocation = `Revoked ${tokens}; ${connections} closed.`;
  if (!signedOut) return revocation; // none ended, or a server that does not say
  const sessions = `${signedOut} ${signedOut === 1 ? 'sign-in' : 'sign-ins'}`;
  return `${revocation} ${sessions} ended: the app signs in again only with the password.`;
}
