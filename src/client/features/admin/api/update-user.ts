import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Role } from '../../../../shared/acl';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';
import type { AdminUser } from './get-users';

export interface UserChange {
  user: string;
  role?: Role;
  disabled?: boolean;
}

export function updateUser({ user, ...change }: UserChange): Promise<AdminUser> {
  return apiFetch<AdminUser>(`/api/admin/users/${encodeURIComponent(user)}`, {
    method: 'PATCH',
    body: change,
  });
}

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateUser,
    onSuccess: (updated) => {
      queryClient.setQueryData<AdminUser[]>(adminKeys.users(), (users) =>
        users?.map((u) => (u.user === updated.user ? updated : u)),
      );
      // Disabling closes connections and a role change can drop subscriptions.
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.users() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.sessions() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
      ]);
    },
  });
}
