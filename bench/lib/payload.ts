// Agent-state payloads of a fixed size carrying a sequence number at a fixed offset, so a
// subscriber checks each delivery (intact, in order) without parsing JSON per message.

const PREFIX = '{"status":"working","detail":"';
const SUFFIX = '","updatedAt":';
const SEQ_DIGITS = 10;
const EPOCH_MS_DIGITS = 13; // Date.now() until the year 2286
const CLOSE = '}';
const MIN_BYTES = PREFIX.length + SEQ_DIGITS + SUFFIX.length + EPOCH_MS_DIGITS + CLOSE.length;
const PAD = 'x';
const CLOSE_BYTE = CLOSE.charCodeAt(0);

export const STATE_PAYLOAD_BYTES = 128; // an agent state with a short detail

export function statePayload(seq: number, bytes = STATE_PAYLOAD_BYTES): Buffer {
  if (bytes < MIN_BYTES) throw new Error(`payloads need at least ${MIN_BYTES} bytes`);
  const pad = PAD.repeat(bytes - MIN_BYTES);
  const text = `${PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}${pad}${SUFFIX}${Date.now()}${CLOSE}`;
  return Buffer.from(text);
}

/** The sequence number, or -1 when the payload is not one of ours, whole and unchanged. */
export function readSeq(payload: Buffer, bytes = STATE_PAYLOAD_BYTES): number {
  if (payload.length !== bytes || payload[bytes - 1] !== CLOSE_BYTE) return -1;
  if (payload.toString('latin1', 0, PREFIX.length) !== PREFIX) return -1;
  let seq = 0;
  for (let i = PREFIX.length; i < PREFIX.length + SEQ_DIGITS; i++) {
    const digit = (payload[i] ?? 0) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    seq = seq * 10 + digit;
  }
  return seq;
}
