import { queryOptions, useQuery } from '@tanstack/react-query';
import type { AclRule, Role } from '../../../../shared/acl';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface AdminUser {
  user: string;
  role: Role;
  disabled: boolean;
  /** ms since the epoch */
  createdAt: number;
  /** Evaluated before the role's rules. */
  rules: AclRule[];
  /** Live MQTT connections right now. */
  connections: number;
}

export const USERS_REFRESH_MS = 10_000; // connection counts move; a glance every 10 s is enough

export async function fetchUsers(signal?: AbortSignal): Promise<AdminUser[]> {
  const body = await apiFetch<{ users: AdminUser[] }>('/api/admin/users', { signal });
  return body.users;
}

export const usersQueryOptions = () =>
  queryOptions({
    queryKey: adminKeys.users(),
    queryFn: ({ signal }) => fetchUsers(signal),
    refetchInterval: USERS_REFRESH_MS,
  });

export const useUsers = () => useQuery(usersQueryOptions());
