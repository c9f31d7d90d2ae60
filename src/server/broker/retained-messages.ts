import type { Aedes } from 'aedes';
import { mountTopic, unmountTopic } from './mount-point';
import type { BrokerPersistence, StoredPacket } from './persistence';

// Enough to recognise a payload in a list; the console shows no more than that.
export const PAYLOAD_PREVIEW_BYTES = 1_024;

export interface RetainedMessage {
  /** As the org's clients see it. */
  topic: string;
  /** Payload size in bytes. */
  size: number;
  qos: number;
  /** The first PAYLOAD_PREVIEW_BYTES as UTF-8 (invalid bytes show as U+FFFD). */
  preview: string;
  previewTruncated: boolean;
}

/**
 * The org's retained messages in topic order, whose topic starts with `prefix`. Broker
 * statistics (`$SYS/…`) are left out: they are rewritten every few seconds and are not
 * the org's data. Walks every retained message of the org: fine for an admin's request,
 * not for a hot path.
 */
export async function* retainedMessages(
  persistence: BrokerPersistence,
  org: string,
  prefix = '',
): AsyncGenerator<RetainedMessage> {
  for await (const chunk of persistence.createRetainedStream(mountTopic(org, '#'))) {
    const packet = chunk as StoredPacket;
    const topic = unmountTopic(org, packet.topic);
    if (topic === null || topic.startsWith('$') || !topic.startsWith(prefix)) continue;
    const payload = Buffer.from(packet.payload);
    yield {
      topic,
      size: payload.length,
      qos: packet.qos,
      preview: payload.subarray(0, PAYLOAD_PREVIEW_BYTES).toString('utf8'),
      previewTruncated: payload.length > PAYLOAD_PREVIEW_BYTES,
    };
  }
}

/**
 * Clears a retained message the way a client would, with an empty retained publish inside
 * the org's mount point [MQTT-3.3.1-10], so subscribers see the clear as well.
 */
export function clearRetained(aedes: Aedes, org: string, topic: string): Promise<void> {
  return new Promise((resolve, reject) =>
    aedes.publish(
      {
        cmd: 'publish',
        topic: mountTopic(org, topic),
        payload: Buffer.alloc(0),
        qos: 0,
        retain: true,
        dup: false,
      },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}
