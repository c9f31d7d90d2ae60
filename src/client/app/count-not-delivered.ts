import { useChatStore } from '../features/chat/stores/chat-store';
import type { Outbox } from '../lib/mqtt/outbox';

/**
 * Our messages kept as not delivered, which signing out loses: it clears the outbox,
 * which keeps them across reloads (connection.ts), and resets the chat store, which shows
 * them. The two mostly hold the same ones, but not always (past MAX_REFUSED the outbox
 * forgets the oldest while its room still shows it), so each is counted once from both.
 */
export function countNotDelivered(outbox: Outbox): number {
  const shown = Object.values(useChatStore.getState().refused).flat();
  const ids = new Set(shown.map((message) => message.id));
  return shown.length + outbox.listRefused().filter((entry) => !ids.has(entry.id)).length;
}
