import { useMutation } from '@tanstack/react-query';
import type { MarkReadRequest } from '../../../../shared/unread-api';
import { apiFetch } from '../../../lib/api/api-fetch';

export interface MarkRoomRead extends MarkReadRequest {
  room: string;
}

/** Read up to the newest (in the room's history) of messages `upTo`, all of them shown. */
export function markRoomRead({ room, upTo }: MarkRoomRead): Promise<void> {
  const body: MarkReadRequest = { upTo };
  return apiFetch<void>(`/api/rooms/${encodeURIComponent(room)}/read`, { method: 'PUT', body });
}

/**
 * Nothing to show when it fails: the badge here is already cleared, and the next mark, or
 * the next visit, moves the position on the server past the same messages.
 */
export const useMarkRoomRead = () => useMutation({ mutationFn: markRoomRead });
