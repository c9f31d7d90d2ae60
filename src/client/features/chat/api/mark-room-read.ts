import { useMutation } from '@tanstack/react-query';
import type { MarkReadRequest } from '../../../../shared/unread-api';
import { isRetryable } from '../../../lib/api/api-error';
import { apiFetch } from '../../../lib/api/api-fetch';

export interface MarkRoomRead extends MarkReadRequest {
  room: string;
  /** Sent as the page goes away (hidden, or unloaded): it must outlive the page. */
  keepalive?: boolean;
}

/** Read up to the newest (in the room's history) of messages `upTo`, all of them shown. */
export function markRoomRead({ room, upTo, keepalive }: MarkRoomRead): Promise<void> {
  const body: MarkReadRequest = { upTo };
  return apiFetch<void>(`/api/rooms/${encodeURIComponent(room)}/read`, {
    method: 'PUT',
    body,
    keepalive,
  });
}

/**
 * Nothing to show when it fails: the badge here is already cleared, and the next mark, or
 * the next visit, moves the position on the server past the same messages. A mark that
 * could not get through is tried once more (after a second), as the room may see no next
 * mark; one the server refused would be refused again.
 */
export const useMarkRoomRead = () =>
  useMutation({
    mutationFn: markRoomRead,
    retry: (failures, error) => failures < 1 && isRetryable(error),
  });
