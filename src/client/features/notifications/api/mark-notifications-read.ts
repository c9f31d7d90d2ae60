import { useMutation } from '@tanstack/react-query';
import type { MarkNotificationsReadRequest } from '../../../../shared/notifications-api';
import { isRetryable } from '../../../lib/api/api-error';
import { apiFetch } from '../../../lib/api/api-fetch';

/**
 * Marks `account`'s notifications `ids`, and every one up to `upTo`, read; refused (409
 * session_changed) if the session is someone else's by now.
 */
export function markNotificationsRead(request: MarkNotificationsReadRequest): Promise<void> {
  return apiFetch<void>('/api/notifications/read', { method: 'POST', body: request });
}

/**
 * A mark that could not get through is tried twice more at once (after 1 s, then 2 s);
 * past that it stays unsent and its sender tries again later (use-send-read-marks.ts). One
 * the server refused would be refused again.
 */
export const useMarkNotificationsRead = () =>
  useMutation({
    mutationFn: markNotificationsRead,
    retry: (failures, error) => failures < 2 && isRetryable(error),
  });
