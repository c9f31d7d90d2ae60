import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { invalidateAfterRevocation, type Revocation } from './revoke-token';

export function revokeUserTokens(user: string): Promise<Revocation> {
  return apiFetch<Revocation>(`/api/admin/users/${encodeURIComponent(user)}/revoke-tokens`, {
    method: 'POST',
    body: {},
  });
}

export function useRevokeUserTokens() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeUserTokens,
    onSuccess: () => invalidateAfterRevocation(queryClient),
  });
}
