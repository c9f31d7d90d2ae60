import { useMutation, useQueryClient } from '@tanstack/react-query';
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

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeToken,
    onSuccess: () => invalidateAfterRevocation(queryClient),
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
