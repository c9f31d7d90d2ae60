import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Role } from '../../../../shared/acl';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';
import type { AdminUser } from './get-users';

export interface NewUser {
  user: string;
  role: Role;
  /** Omitted: the server generates one and answers with it, this once. */
  password?: string;
}

export type CreatedUser = AdminUser & { password?: string };

export function createUser(body: NewUser): Promise<CreatedUser> {
  return apiFetch<CreatedUser>('/api/admin/users', { method: 'POST', body });
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.users() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
      ]),
  });
}
