import type { IssuedToken } from '../../api/get-tokens';
import { useRevokeToken, type Revocation } from '../../api/revoke-token';
import { ErrorMessage } from '../error-message';

export function RevokeTokenButton({
  token,
  onRevoked,
}: {
  token: IssuedToken;
  onRevoked(result: Revocation): void;
}) {
  const revoke = useRevokeToken();
  return (
    <>
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
    </>
  );
}
