import type { AedesPublishPacket } from 'aedes';
import {
  decodePayload,
  type AppNotification,
  type ChatMessage,
  type DecodedPayload,
} from '../../shared/schemas';
import { orgOfMountedTopic, unmountTopic } from './mount-point';

/** Where the messages the broker routes are kept for later: chat history and inboxes. */
export interface HistoryRecorder {
  chatMessage(org: string, room: string, message: ChatMessage): void;
  notification(org: string, user: string, notification: AppNotification): void;
  /** Recording failed (disk full, database closed during shutdown): routing goes on. */
  onError(error: unknown): void;
}

export interface RecordHistory {
  /**
   * authorizePublish, for a client's publish it has accepted: records it there, because
   * aedes acknowledges a QoS 1 publish (PUBACK) before it routes it. With the transports
   * committing a turn's history before its writes leave (beforeSend), a PUBACK then means
   * the message is in the history, even if the server dies next.
   */
  accepted(packet: object, org: string, message: DecodedPayload): void;
  /**
   * The `published` hook: records what entered by other paths (wills, the broker API,
   * QoS 2 after PUBREL: recorded again, and ignored by the store as a duplicate id).
   */
  published(
    packet: AedesPublishPacket,
    client: unknown,
    callback: (error?: Error | null) => void,
  ): void;
}

export function createRecordHistory(recorder: HistoryRecorder): RecordHistory {
  const recordedAtAuthorization = new WeakSet<object>();

  const record = (org: string, message: DecodedPayload | null) => {
    try {
      if (message?.kind === 'chat-message') {
        recorder.chatMessage(org, message.room, message.value);
      } else if (message?.kind === 'notification') {
        recorder.notification(org, message.user, message.value);
      }
    } catch (error) {
      recorder.onError(error);
    }
  };

  return {
    accepted(packet, org, message) {
      if (message.kind !== 'chat-message' && message.kind !== 'notification') return;
      record(org, message);
      recordedAtAuthorization.add(packet);
    },
    published(packet, _client, callback) {
      if (recordedAtAuthorization.has(packet)) return callback(null);
      const org = orgOfMountedTopic(packet.topic);
      const topic = org === null ? null : unmountTopic(org, packet.topic);
      // Cheap prefix test first: most traffic (agent states, typing, presence) is not kept.
      if (org === null || topic === null || !/^(chat|notifications)\//.test(topic)) {
        return callback(null);
      }
      const decoded = decodePayload(topic, packet.payload);
      record(org, decoded.ok ? decoded.message : null);
      callback(null);
    },
  };
}
