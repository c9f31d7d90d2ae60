import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface PasswordReset {
  user: string;
  /** Shown once: the server keeps only its hash. */
  password: string;
}

export function resetPassword(user: string): Promise<PasswordReset> {
  return apiFetch<PasswordReset>(`/api/admin/users/${encodeURIComponent(user)}/password`, {
    method: 'POST',
    body: {},
  });
}

export function useResetPassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resetPassword,
    // Password connections (services, devices) are closed by a reset.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.sessions() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
      ]),
  });
}
