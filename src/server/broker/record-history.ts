import type { AedesPublishPacket, PublishPacket } from 'aedes';
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

/** Where aedes keeps a received QoS 2 publish until its PUBREL (the broker's persistence). */
export interface IncomingStore {
  incomingStorePacket(client: { id: string }, packet: object): Promise<void>;
}

export interface RecordHistory {
  /**
   * authorizePublish, for a client's publish it has accepted: records it there, because
   * aedes acknowledges a QoS 1 publish (PUBACK) before it routes it. With the transports
   * committing a turn's history before its writes leave (beforeSend), a PUBACK then means
   * the message is in the history, even if the server dies next. A QoS 2 publish is only
   * noted here and recorded once aedes stores it (`recordQoS2WhenStored`).
   */
  accepted(packet: Pick<PublishPacket, 'qos'>, org: string, message: DecodedPayload): void;
  /**
   * The `published` hook: records what entered by other paths (wills, the broker API).
   */
  published(
    packet: AedesPublishPacket,
    client: unknown,
    callback: (error?: Error | null) => void,
  ): void;
  /**
   * Records a client's QoS 2 message when aedes stores it as received, not when it is
   * authorized. aedes stores, and then routes, a QoS 2 publish only when its packet id is
   * not already awaiting a PUBREL, in this connection or the session before it; one that
   * is gets a PUBREC and goes nowhere, being the same message again [MQTT-4.3.3-2], even
   * when it carries another payload. Recorded at authorization, such a publish put in the
   * history a message nobody got. aedes routes it after the store, and writes the PUBREC
   * after routing, so the PUBREC still means the message is in the history.
   */
  recordQoS2WhenStored(incoming: IncomingStore): void;
}

export function createRecordHistory(recorder: HistoryRecorder): RecordHistory {
  // Recorded already (the published hook skips these), and QoS 2 ones waiting for their store.
  const recorded = new WeakSet<object>();
  const awaitingStore = new WeakMap<object, { org: string; message: DecodedPayload }>();

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
      if (packet.qos === 2) {
        awaitingStore.set(packet, { org, message });
        return;
      }
      record(org, message);
      recorded.add(packet);
    },
    published(packet, _client, callback) {
      if (recorded.has(packet)) return callback(null);
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
    recordQoS2WhenStored(incoming) {
      const store = incoming.incomingStorePacket.bind(incoming);
      incoming.incomingStorePacket = async (client, packet) => {
        await store(client, packet); // not stored: aedes routes nothing and drops the client
        const noted = awaitingStore.get(packet);
        if (!noted) return;
        awaitingStore.delete(packet);
        record(noted.org, noted.message);
        recorded.add(packet);
      };
    },
  };
}
