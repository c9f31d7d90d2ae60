import mqttPacket from 'mqtt-packet';

// aedes writes every packet with mqtt-packet's writeToStream (lib/write.js), which encodes
// a PUBLISH anew for each subscriber and writes it in five pieces: header, length, topic
// length, the topic as a string (converted again by the transport) and payload. Here a
// PUBLISH is encoded once per message and topic, and each delivery is one write of those
// bytes: the same bytes at QoS 0, a copy with the delivery's own message id at QoS 1 and 2.
// aedes gives every subscriber's packet the message's payload Buffer, which keys the cache.

interface PublishPacket {
  cmd: 'publish';
  topic: string;
  payload: Buffer | string;
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  messageId?: number;
  properties?: unknown;
}

interface Encoded {
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  bytes: Buffer;
  /** Where the message id is, for QoS 1 and 2. */
  idOffset: number;
}

const encodings = new WeakMap<Buffer, Encoded>();
const PATCHED = Symbol('switchboard.publishEncodedOnce');

type WriteToStream = typeof mqttPacket.writeToStream;

/** Makes mqtt-packet's writeToStream encode each PUBLISH once (idempotent). */
export function encodePublishesOnce(): void {
  const original = mqttPacket.writeToStream as WriteToStream & { [PATCHED]?: true };
  if (original[PATCHED]) return;
  const write = (...[packet, stream, opts]: Parameters<WriteToStream>): boolean => {
    const bytes = isPlainPublish(packet, opts) ? publishBytes(packet) : null;
    return bytes ? stream.write(bytes) : original(packet, stream, opts);
  };
  mqttPacket.writeToStream = Object.assign(write, {
    cacheNumbers: original.cacheNumbers,
    [PATCHED]: true as const,
  });
}

/** An MQTT 3.1.1 PUBLISH with a Buffer payload: anything else goes to mqtt-packet. */
function isPlainPublish(
  packet: unknown,
  opts: { protocolVersion?: number } | undefined,
): packet is PublishPacket & { payload: Buffer } {
  const p = packet as PublishPacket;
  return (
    p.cmd === 'publish' &&
    Buffer.isBuffer(p.payload) &&
    typeof p.topic === 'string' &&
    p.properties === undefined &&
    (opts?.protocolVersion ?? 4) !== 5
  );
}

/** The packet's bytes, or null when mqtt-packet should say what is wrong with it. */
export function publishBytes(packet: PublishPacket & { payload: Buffer }): Buffer | null {
  const qos = packet.qos ?? 0;
  const retain = packet.retain === true;
  const dup = packet.dup === true;
  let encoded = encodings.get(packet.payload);
  if (
    !encoded ||
    encoded.topic !== packet.topic ||
    encoded.qos !== qos ||
    encoded.retain !== retain ||
    encoded.dup !== dup
  ) {
    if (qos > 0 && !isMessageId(packet.messageId)) return null;
    let bytes: Buffer;
    try {
      bytes = mqttPacket.generate({
        cmd: 'publish',
        topic: packet.topic,
        payload: packet.payload,
        qos: qos as 0 | 1 | 2,
        retain,
        dup,
        messageId: packet.messageId,
      });
    } catch {
      return null;
    }
    encoded = { topic: packet.topic, qos, retain, dup, bytes, idOffset: 0 };
    encoded.idOffset = bytes.length - packet.payload.length - 2;
    encodings.set(packet.payload, encoded);
    return bytes;
  }
  if (qos === 0) return encoded.bytes;
  if (!isMessageId(packet.messageId)) return null;
  const bytes = Buffer.allocUnsafe(encoded.bytes.length);
  encoded.bytes.copy(bytes);
  bytes.writeUInt16BE(packet.messageId, encoded.idOffset);
  return bytes;
}

function isMessageId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffff;
}
