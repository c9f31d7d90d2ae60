import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { AclRule } from '../../../../shared/acl';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface RulesUpdate {
  user: string;
  rules: AclRule[];
  /** Live connections that got the new rules at once. */
  connections: number;
  /** Subscriptions the new rules no longer allow, removed from live and away sessions. */
  removedSubscriptions: string[];
}

export function setUserRules({
  user,
  rules,
}: {
  user: string;
  rules: AclRule[];
}): Promise<RulesUpdate> {
  return apiFetch<RulesUpdate>(`/api/admin/users/${encodeURIComponent(user)}/rules`, {
    method: 'PUT',
    body: rules,
  });
}

export function useSetUserRules() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setUserRules,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.users() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.sessions() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
      ]),
  });
}
