import type { ChatMessage } from '../../../../shared/schemas';
import { isApiError } from '../../../lib/api/api-error';
import { apiFetch } from '../../../lib/api/api-fetch';

/**
 * Message `id` of the room's history, or null when the broker never accepted it (it records
 * an accepted message before acknowledging it). Throws when the server cannot tell.
 */
export async function fetchRoomMessage(
  room: string,
  id: string,
  signal?: AbortSignal,
): Promise<ChatMessage | null> {
  try {
    return await apiFetch<ChatMessage>(
      `/api/rooms/${encodeURIComponent(room)}/messages/${encodeURIComponent(id)}`,
      { signal },
    );
  } catch (error) {
    if (isApiError(error) && error.code === 'message_not_found') return null;
    throw error;
  }
}
