import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api/api-fetch';
import { adminKeys } from './admin-keys';

/** An empty retained publish on the topic, so subscribers see the clear too. */
export function clearRetained(topic: string): Promise<void> {
  return apiFetch<void>(`/api/admin/retained?topic=${encodeURIComponent(topic)}`, {
    method: 'DELETE',
  });
}

export function useClearRetained() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: clearRetained,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.retainedAll() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.audit() }),
      ]),
  });
}
