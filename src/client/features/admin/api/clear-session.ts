import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';
import type { SessionRef } from './disconnect-session';
import type { Sessions } from './get-sessions';

/** Forgets an away persistent session: its subscriptions and queued messages. */
export function clearSession({ clientId, user }: SessionRef): Promise<void> {
  return apiFetch<void>(
    `/api/admin/sessions/${encodeURIComponent(clientId)}?user=${encodeURIComponent(user)}`,
    { method: 'DELETE' },
  );
}

export function useClearSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: clearSession,
    onSuccess: (_nothing, { clientId, user }) => {
      queryClient.setQueryData<Sessions>(adminKeys.sessions(), (sessions) =>
        sessions
          ? {
              ...sessions,
              offline: sessions.offline.filter((s) => s.clientId !== clientId || s.user !== user),
            }
          : sessions,
      );
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.sessions() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
      ]);
    },
  });
}
