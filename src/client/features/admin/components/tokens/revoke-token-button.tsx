import type { IssuedToken } from '../../api/get-tokens';
import { useRevokeToken, type Revocation } from '../../api/revoke-token';
import { ErrorMessage } from '../error-message';
import { FocusableButton } from '../focusable-button';

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
      <FocusableButton
        type="button"
        className="button button--small button--danger-quiet"
        aria-label={`Revoke ${token.user}'s token for ${token.clientId}`}
        unavailable={revoke.isPending}
        onClick={() => revoke.mutate(token.jti, { onSuccess: onRevoked })}
      >
        {revoke.isPending ? 'Revoking…' : 'Revoke'}
      </FocusableButton>
      {revoke.error && <ErrorMessage error={revoke.error} action="Could not revoke" />}
    </>
  );
}
