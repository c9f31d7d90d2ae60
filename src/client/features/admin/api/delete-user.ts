import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';
import type { AdminUser } from './get-users';

export function deleteUser(user: string): Promise<void> {
  return apiFetch<void>(`/api/admin/users/${encodeURIComponent(user)}`, { method: 'DELETE' });
}

export function useDeleteUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteUser,
    onSuccess: (_nothing, user) => {
      queryClient.setQueryData<AdminUser[]>(adminKeys.users(), (users) =>
        users?.filter((u) => u.user !== user),
      );
      // Their tokens are revoked and their connections closed with them.
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.users() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.tokensAll() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.sessions() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
      ]);
    },
  });
}
