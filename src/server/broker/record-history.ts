import type { AedesPublishPacket } from 'aedes';
import {
  decodePayload,
  type AppNotification,
  type ChatMessage,
  type DecodedPayload,
} from '../../shared/schemas';
import { decodedAtAuthorization } from './decoded-payloads';
import { orgOfMountedTopic, unmountTopic } from './mount-point';

/** Where the messages the broker routes are kept for later: chat history and inboxes. */
export interface HistoryRecorder {
  chatMessage(org: string, room: string, message: ChatMessage): void;
  notification(org: string, user: string, notification: AppNotification): void;
  /** Recording failed (disk full, database closed during shutdown): routing goes on. */
  onError(error: unknown): void;
}

/**
 * The `published` hook: every chat message and notification the broker routes is
 * recorded. The payload decoded at authorization is reused; messages that enter by other
 * paths (wills, the broker API, QoS 2 after PUBREL) are decoded here.
 */
export function createRecordHistory(recorder: HistoryRecorder) {
  return function published(
    packet: AedesPublishPacket,
    _client: unknown,
    callback: (error?: Error | null) => void,
  ): void {
    const org = orgOfMountedTopic(packet.topic);
    const topic = org === null ? null : unmountTopic(org, packet.topic);
    // Cheap prefix test first: most traffic (agent states, typing, presence) is not kept.
    if (org === null || topic === null || !/^(chat|notifications)\//.test(topic)) {
      return callback(null);
    }
    const message = decodedAtAuthorization(packet) ?? decode(topic, packet.payload);
    try {
      if (message?.kind === 'chat-message') {
        recorder.chatMessage(org, message.room, message.value);
      } else if (message?.kind === 'notification') {
        recorder.notification(org, message.user, message.value);
      }
    } catch (error) {
      recorder.onError(error);
    }
    callback(null);
  };
}

function decode(topic: string, payload: Uint8Array | string): DecodedPayload | null {
  const decoded = decodePayload(topic, payload);
  return decoded.ok ? decoded.message : null;
}
