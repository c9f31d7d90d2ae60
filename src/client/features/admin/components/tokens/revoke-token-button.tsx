import type { IssuedToken } from '../../api/get-tokens';
import { useRevokeToken, type Revocation } from '../../api/revoke-token';
import { FocusableButton } from '../focusable-button';

// The server refuses it (409 cannot_modify_self): it would sign this admin out mid-request.
const CURRENT_SIGN_IN_NOTE = 'You cannot revoke your own sign-in here; sign out instead';

/**
 * One token's Revoke. What it comes to is said by the view, above the list, not in the row:
 * a refused token that is no longer live leaves the list at once, and its row with it.
 */
export function RevokeTokenButton({
  token,
  onRevoked,
  onFailed,
}: {
  token: IssuedToken;
  onRevoked(result: Revocation): void;
  /** `action`: what failed, naming the token, e.g. "Could not revoke alice's token for …". */
  onFailed(error: Error, action: string): void;
}) {
  const revoke = useRevokeToken();
  const name = `${token.user}'s token for ${token.clientId}`;
  return (
    <FocusableButton
      type="button"
      className="button button--small button--danger-quiet"
      aria-label={`Revoke ${name}`}
      disabled={token.currentSignIn}
      title={token.currentSignIn ? CURRENT_SIGN_IN_NOTE : undefined}
      unavailable={revoke.isPending}
      // Not mutate's callbacks: the refetch that follows a revocation drops this row, and
      // those go with it. The promise outlives the row.
      onClick={() =>
        void revoke
          .mutateAsync(token.jti)
          .then(onRevoked, (error: Error) => onFailed(error, `Could not revoke ${name}`))
      }
    >
      {revoke.isPending ? 'Revoking…' : 'Revoke'}
    </FocusableButton>
  );
}
