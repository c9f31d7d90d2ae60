import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

export interface SessionRef {
  clientId: string;
  /** Client ids are unique per user only: naming the user never closes someone else's. */
  user: string;
}

export function disconnectSession({ clientId, user }: SessionRef) {
  return apiFetch<{ disconnected: number }>(
    `/api/admin/sessions/${encodeURIComponent(clientId)}/disconnect?user=${encodeURIComponent(user)}`,
    { method: 'POST', body: {} },
  );
}

export function useDisconnectSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: disconnectSession,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.sessions() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.users() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
      ]),
  });
}
