/**
 * A WebSocket that sends the binary writes of one task as one frame, in the next task.
 *
 * mqtt.js writes a PUBACK for every QoS 1 message it receives and flushes each on its own,
 * so a frame carrying 30 messages was answered with 30 WebSocket frames: at 5,000 msg/s a
 * sixth of the page's main thread went to `send`. Gathered, a received frame is answered
 * with one. The order of writes is kept; text frames and `close()` send what is gathered
 * first, and `bufferedAmount` counts it, so mqtt.js' own backpressure still sees it.
 */
export class BatchedWebSocket extends WebSocket {
  #pending: Uint8Array<ArrayBuffer>[] = [];
  #pendingBytes = 0;
  #nextTask = new MessageChannel();
  #scheduled = false;

  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.#nextTask.port1.onmessage = () => this.#flush();
    this.addEventListener('close', () => this.#nextTask.port1.close());
  }

  override get bufferedAmount(): number {
    return super.bufferedAmount + this.#pendingBytes;
  }

  // What `WebSocket.send` takes: no view on a SharedArrayBuffer, which browsers refuse.
  override send(data: string | Blob | BufferSource): void {
    if (!ArrayBuffer.isView(data) || this.readyState !== WebSocket.OPEN) {
      this.#flush();
      super.send(data);
      return;
    }
    this.#pending.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.#pendingBytes += data.byteLength;
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#nextTask.port2.postMessage(null);
    }
  }

  override close(code?: number, reason?: string): void {
    this.#flush();
    super.close(code, reason);
  }

  #flush(): void {
    this.#scheduled = false;
    const chunks = this.#pending;
    if (chunks.length === 0) return;
    this.#pending = [];
    this.#pendingBytes = 0;
    super.send(chunks.length === 1 ? chunks[0]! : concat(chunks));
  }
}

function concat(chunks: Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
