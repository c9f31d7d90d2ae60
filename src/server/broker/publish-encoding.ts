import mqttPacket from 'mqtt-packet';

// aedes writes every packet with mqtt-packet's writeToStream (lib/write.js), which encodes
// a PUBLISH anew for each subscriber and writes it in five pieces: header, length, topic
// length, the topic as a string (converted again by the transport) and payload. Here the
// part before the payload is encoded once per message and topic, and each delivery is two
// writes: those bytes (the same at QoS 0, a copy with the delivery's own message id at
// QoS 1 and 2) and the payload, shared as mqtt-packet shares it. aedes gives every
// subscriber's packet the message's payload Buffer, which keys the cache (the header does
// not depend on the payload's bytes, only on its length, which a Buffer cannot change).

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

interface Header {
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  /** Fixed header, remaining length, topic and, at QoS 1 and 2, a message id. */
  bytes: Buffer;
}

const headers = new WeakMap<Buffer, Header>();
const PATCHED = Symbol('switchboard.publishEncodedOnce');

type WriteToStream = typeof mqttPacket.writeToStream;
type Stream = Parameters<WriteToStream>[1] & { cork?: () => void; uncork?: () => void };

/** Makes mqtt-packet's writeToStream encode each PUBLISH header once (idempotent). */
export function encodePublishesOnce(): void {
  const original = mqttPacket.writeToStream as WriteToStream & { [PATCHED]?: true };
  if (original[PATCHED]) return;
  const write = (...[packet, stream, opts]: Parameters<WriteToStream>): boolean => {
    const header = isPlainPublish(packet, opts) ? publishHeader(packet) : null;
    if (!header) return original(packet, stream, opts);
    const corked = stream as Stream;
    if (corked.cork) {
      // As mqtt-packet does: both pieces leave in one write where the stream can.
      corked.cork();
      process.nextTick(() => corked.uncork!());
    }
    stream.write(header);
    return stream.write((packet as PublishPacket & { payload: Buffer }).payload);
  };
  Object.defineProperty(write, PATCHED, { value: true });
  // mqtt.js turns the number cache off through this setter (`writeCache: false`).
  Object.defineProperty(write, 'cacheNumbers', {
    get: () => original.cacheNumbers,
    set: (value: boolean) => (original.cacheNumbers = value),
  });
  mqttPacket.writeToStream = write as WriteToStream;
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

/** The bytes before the payload, or null when mqtt-packet should say what is wrong. */
export function publishHeader(packet: PublishPacket & { payload: Buffer }): Buffer | null {
  const qos = packet.qos ?? 0;
  const retain = Boolean(packet.retain);
  const dup = Boolean(packet.dup);
  if (qos > 0 && !isMessageId(packet.messageId)) return null;
  const cached = headers.get(packet.payload);
  if (
    cached?.topic === packet.topic &&
    cached.qos === qos &&
    cached.retain === retain &&
    cached.dup === dup
  ) {
    if (qos === 0) return cached.bytes;
    const bytes = Buffer.allocUnsafe(cached.bytes.length);
    cached.bytes.copy(bytes);
    bytes.writeUInt16BE(packet.messageId!, bytes.length - 2);
    return bytes;
  }
  let whole: Buffer;
  try {
    whole = mqttPacket.generate({
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
  // A copy: a view would keep the whole encoding, payload included, alive with the cache.
  const bytes = Buffer.from(whole.subarray(0, whole.length - packet.payload.length));
  headers.set(packet.payload, { topic: packet.topic, qos, retain, dup, bytes });
  return bytes;
}

function isMessageId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffff;
}
