import type { ChatMessage } from '../../../../shared/schemas';
import { isApiError } from '../../../lib/api/api-error';
import { apiFetch } from '../../../lib/api/api-fetch';

/** The answers that say the room's history holds no message of ours under the id. */
const NOT_OURS: ReadonlySet<string> = new Set(['message_not_found', 'message_id_taken']);

/**
 * Our message `id` in the room's history, or null when the history holds none of ours under
 * it, so the broker did not route ours (it records what it routes before acknowledging
 * it): nothing there (404), or another sender's message (409 `message_id_taken`: the broker
 * routes no message under an id it keeps). Throws when the server cannot tell.
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
    if (isApiError(error) && NOT_OURS.has(error.code)) return null;
    throw error;
  }
}
