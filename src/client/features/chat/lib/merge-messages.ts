import type { ChatMessage } from '../../../../shared/schemas';
import type { DeliveryStatus, LiveMessage } from '../stores/chat-store';

export interface TimelineMessage extends ChatMessage {
  status: DeliveryStatus;
}

/** sentAt, then id: every client orders the same messages the same way. */
export function compareMessages(a: ChatMessage, b: ChatMessage): number {
  if (a.sentAt !== b.sentAt) return a.sentAt - b.sentAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * One timeline from history pages (HTTP) and live messages (MQTT). They overlap by
 * design, around the moment history was fetched, so the union is deduplicated by id; a
 * message the server has in history has certainly been sent.
 */
export function mergeMessages(
  historyPages: ReadonlyArray<readonly ChatMessage[]>,
  live: Readonly<Record<string, LiveMessage>> | undefined,
): TimelineMessage[] {
  const byId = new Map<string, TimelineMessage>();
  for (const message of Object.values(live ?? {})) byId.set(message.id, message);
  for (const page of historyPages) {
    for (const message of page) byId.set(message.id, { ...message, status: 'sent' });
  }
  return [...byId.values()].sort(compareMessages);
}
