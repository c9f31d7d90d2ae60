import { useMutation, useQueryClient } from '@tanstack/react-query';
import { isApiError } from '../../../lib/api/api-error';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface Revocation {
  revoked: string[];
  /** Connections that were using the revoked tokens, closed at once. */
  disconnected: number;
  /**
   * Sign-in sessions ended with them, so the app cannot fetch a fresh token without the
   * password: the user's all, or the one that minted the token (with its other tokens).
   * Absent from a server older than this.
   */
  signedOut?: number;
}

export function revokeToken(jti: string): Promise<Revocation> {
  return apiFetch<Revocation>(`/api/admin/tokens/${encodeURIComponent(jti)}/revoke`, {
    method: 'POST',
    body: {},
  });
}

/** Refusals of a token the list still showed but that is gone or can do nothing now. */
const NOT_LIVE_CODES: ReadonlySet<string> = new Set(['token_not_live', 'token_not_found']);

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeToken,
    onSuccess: () => invalidateAfterRevocation(queryClient),
    onError: (error) => {
      // The list was stale: it catches up, and the row goes. Not awaited: the refusal is
      // said first (the caller's onError), by the view, not by the row.
      if (isApiError(error) && NOT_LIVE_CODES.has(error.code))
        void queryClient.invalidateQueries({ queryKey: adminKeys.tokensAll() });
    },
  });
}

export function invalidateAfterRevocation(
  queryClient: ReturnType<typeof useQueryClient>,
): Promise<unknown> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: adminKeys.tokensAll() }),
    queryClient.invalidateQueries({ queryKey: adminKeys.sessions() }),
    queryClient.invalidateQueries({ queryKey: adminKeys.users() }),
    queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
  ]);
}
