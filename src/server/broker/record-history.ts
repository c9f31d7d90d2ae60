import type { AedesPublishPacket } from 'aedes';
import { chatMessageSchema, type ChatMessage } from '../../shared/schemas';
import { parseTopic } from '../../shared/topics';
import { orgOfMountedTopic, unmountTopic } from './mount-point';

export type RecordChatMessage = (org: string, room: string, message: ChatMessage) => void;

/**
 * The `published` hook: every chat message the broker routes goes into history. Payloads
 * were validated when authorized; parsing again costs little and keeps this hook safe for
 * messages that enter by other paths (wills, the broker API).
 */
export function createRecordHistory(record: RecordChatMessage) {
  return function published(
    packet: AedesPublishPacket,
    _client: unknown,
    callback: (error?: Error | null) => void,
  ): void {
    const org = orgOfMountedTopic(packet.topic);
    const topic = org === null ? null : unmountTopic(org, packet.topic);
    const parsed = topic === null ? null : parseTopic(topic);
    if (org === null || parsed?.kind !== 'chat-message') return callback(null);
    try {
      const message = chatMessageSchema.safeParse(JSON.parse(packet.payload.toString()));
      if (message.success) record(org, parsed.room, message.data);
    } catch {
      // not JSON: nothing to record
    }
    callback(null);
  };
}
