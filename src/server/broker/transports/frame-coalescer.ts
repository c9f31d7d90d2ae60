// Joins runs of small whole binary frames, as a client sends them, into one frame before
// ws' receiver parses them [RFC 6455 §5.2].
//
// mqtt.js in Node writes each piece of a packet as its own WebSocket frame: a PUBACK comes
// as three frames of 1, 1 and 2 bytes (ws' stream wrapper has no _writev; mqttjs/MQTT.js
// #576). ws' receiver pays for every frame (two Buffer views per header, mask and payload
// read, two events), which was a sixth of the broker's CPU in a QoS 1 fan-out. MQTT does
// not care where frames end [MQTT-6.0.0-2], so a run of such frames in one chunk read
// from the socket becomes one frame with the same bytes.
//
// Only what is plainly a complete, final, masked binary frame without extension bits, of
// at most MAX_JOINED_PAYLOAD_BYTES, is joined, and only with its neighbours in the same
// chunk. Everything else (control frames, text frames, fragments, unmasked or reserved
// bits, frames split across reads) passes through byte for byte, so ws still checks and
// answers all of it as before. The joined frame is masked with a zero key, as the
// protocol requires of a client's frames.

/** Larger frames already carry their cost; a joined frame stays far below maxPayload. */
export const MAX_JOINED_PAYLOAD_BYTES = 1_024;
const OPCODE_BINARY = 0x2;

interface Header {
  /** Header bytes, mask key included. */
  size: number;
  payload: number;
  /** A final, masked binary frame with no extension bits: one that may be joined. */
  plain: boolean;
}

export class FrameCoalescer {
  /** Payload bytes of a passed-through frame that later chunks still carry. */
  private passing = 0;
  /** The start of a frame whose header a chunk cut short, held until the rest arrives. */
  private held: Buffer | null = null;

  /** The bytes to hand ws' receiver for a chunk read from the socket. */
  transform(input: Buffer): Buffer {
    let chunk = input;
    const out: Buffer[] = [];
    let pos = 0;
    if (this.passing > 0) {
      pos = Math.min(this.passing, chunk.length);
      this.passing -= pos;
      out.push(chunk.subarray(0, pos));
    }
    if (this.held) {
      chunk = Buffer.concat([this.held, chunk.subarray(pos)]);
      this.held = null;
      pos = 0;
    }
    const run = new Run(chunk);
    while (pos < chunk.length) {
      const header = readHeader(chunk, pos);
      if (!header) {
        run.end(out);
        this.held = Buffer.from(chunk.subarray(pos)); // a copy: the chunk's memory is reused
        break;
      }
      const end = pos + header.size + header.payload;
      if (header.plain && end <= chunk.length && header.payload <= MAX_JOINED_PAYLOAD_BYTES) {
        if (run.payload + header.payload > MAX_JOINED_PAYLOAD_BYTES) run.end(out);
        run.add(pos, header);
        pos = end;
        continue;
      }
      run.end(out);
      const available = Math.min(end, chunk.length);
      out.push(chunk.subarray(pos, available));
      this.passing = end - available;
      pos = available;
    }
    run.end(out);
    if (out.length === 1) return out[0]!;
    return Buffer.concat(out);
  }
}

/** Consecutive frames of one chunk that may be joined. */
class Run {
  readonly frames: { start: number; header: Header }[] = [];
  payload = 0;

  constructor(private readonly chunk: Buffer) {}

  add(start: number, header: Header): void {
    this.frames.push({ start, header });
    this.payload += header.payload;
  }

  /** Appends the run to `out`: a lone frame as it came, several joined into one. */
  end(out: Buffer[]): void {
    const { frames, chunk } = this;
    if (frames.length === 1) {
      const { start, header } = frames[0]!;
      out.push(chunk.subarray(start, start + header.size + header.payload));
    } else if (frames.length > 1) {
      out.push(joined(chunk, frames, this.payload));
    }
    frames.length = 0;
    this.payload = 0;
  }
}

/** The frame header at `pos`, or null when the chunk ends before it does. */
function readHeader(chunk: Buffer, pos: number): Header | null {
  if (chunk.length - pos < 2) return null;
  const first = chunk[pos]!;
  const second = chunk[pos + 1]!;
  const masked = (second & 0x80) !== 0;
  const length7 = second & 0x7f;
  const lengthBytes = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  const size = 2 + lengthBytes + (masked ? 4 : 0);
  if (chunk.length - pos < size) return null;
  let payload = length7;
  if (length7 === 126) payload = chunk.readUInt16BE(pos + 2);
  else if (length7 === 127) {
    // Beyond 2^53 is not a length ws accepts either; it is passed on for ws to refuse.
    const high = chunk.readUInt32BE(pos + 2);
    payload =
      high > 0x1f_ffff ? Number.MAX_SAFE_INTEGER : high * 2 ** 32 + chunk.readUInt32BE(pos + 6);
  }
  const plain = first === (0x80 | OPCODE_BINARY) && masked;
  return { size, payload, plain };
}

/** One masked (zero key) final binary frame holding the run's payloads, unmasked, in order. */
function joined(chunk: Buffer, run: { start: number; header: Header }[], payload: number): Buffer {
  const lengthBytes = payload > 125 ? 2 : 0; // ≤ MAX_JOINED_PAYLOAD_BYTES < 65,536
  const headerSize = 2 + lengthBytes + 4;
  const frame = Buffer.allocUnsafe(headerSize + payload);
  frame[0] = 0x80 | OPCODE_BINARY;
  if (lengthBytes === 0) frame[1] = 0x80 | payload;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload, 2);
  }
  frame.fill(0, headerSize - 4, headerSize); // the mask key: XOR with zero leaves the bytes
  let at = headerSize;
  for (const { start, header } of run) {
    const key = start + header.size - 4;
    const from = start + header.size;
    for (let i = 0; i < header.payload; i++)
      frame[at + i] = chunk[from + i]! ^ chunk[key + (i & 3)]!;
    at += header.payload;
  }
  return frame;
}

/**
 * Puts a FrameCoalescer in front of the receiver of a server-side ws socket (ws 8 reads
 * each chunk from the socket into `_receiver.write`). Where that is missing, frames are
 * read as before; test/server/transports/websocket-connection.test.ts notices.
 */
export function joinSmallFrames(ws: object): void {
  const receiver = (ws as { _receiver?: { write(chunk: Buffer): boolean } })._receiver;
  if (!receiver) return;
  const coalescer = new FrameCoalescer();
  const write = receiver.write.bind(receiver);
  receiver.write = (chunk: Buffer) => write(coalescer.transform(chunk));
}
