import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { joinSmallFrames } from './frame-coalescer';

// The byte stream aedes reads MQTT from and writes MQTT to, over one `ws` WebSocket.
//
// ws' own createWebSocketStream turns every write into a WebSocket frame, and mqtt-packet
// writes a PUBLISH in about five pieces (header, length, topic length, topic, payload): five
// frames and five writev system calls per delivery, which the profile showed as most of the
// broker's time. Here the writes of one event-loop turn are joined and sent as one frame
// [MQTT-6.0.0-2: a frame may hold several packets, or part of one]. Incoming frames go to
// aedes' parser as they are, which reassembles packets split across frames; small ones
// read together are joined before ws parses them (frame-coalescer.ts).
//
// aedes uses only this much of a stream: read() on 'readable', write() returning false
// until 'drain', destroy(), 'error' and 'close' (through stream.finished, which accepts any
// emitter with write()), and the `destroyed` flag.

/** Unsent bytes past which write() returns false, so aedes waits for 'drain' (and drops a
 * consumer that stays this far behind for its drainTimeout). */
export const WRITE_HIGH_WATER_BYTES = 64 * 1_024;
/** 'drain' fires once the backlog is back under this. */
export const WRITE_LOW_WATER_BYTES = 16 * 1_024;
/** Writes of one turn are sent early once they reach this, to bound a frame's size. */
export const MAX_BATCH_BYTES = 64 * 1_024;
/** Received bytes aedes has not read yet past which the socket stops being read. */
export const READ_HIGH_WATER_BYTES = 64 * 1_024;
/** A peer that does not finish the closing handshake is cut off after this. */
export const CLOSE_GRACE_MS = 1_000;

export const CLOSE_NORMAL = 1_000;
export const CLOSE_UNSUPPORTED_DATA = 1_003;

export class WebSocketTransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WebSocketTransportError';
  }
}

// ws' server sockets are never masked or compressed here (perMessageDeflate is off).
const SEND_OPTIONS = { binary: true, compress: false, fin: true } as const;

export class WebSocketConnection extends EventEmitter {
  /** As on Node streams: no more writes; aedes checks it before destroying. */
  destroyed = false;

  private readonly incoming: Buffer[] = [];
  private incomingBytes = 0;
  private readableScheduled = false;

  private readonly outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private flushScheduled: NodeJS.Immediate | null = null;
  private needDrain = false;

  /** ws is already closing the socket itself (a protocol error it detected). */
  private wsFailed = false;
  /** The close code to send when aedes destroys us after a refusal of ours. */
  private refusal: { code: number; reason: string } | null = null;
  private socketClosed = false;
  private closeEmitted = false;
  private closeTimer: NodeJS.Timeout | null = null;

  /**
   * @param beforeSend runs before each frame is sent: the broker commits the turn's
   *   history there, so a PUBACK never leaves before what it acknowledges is written.
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly beforeSend: () => void = () => {},
  ) {
    super();
    joinSmallFrames(ws);
    ws.on('message', this.onMessage);
    ws.on('error', this.onWsError);
    ws.on('close', this.onWsClose);
  }

  /** Everything received and not read yet, or null; aedes reads again on 'readable'. */
  read(): Buffer | null {
    const { incoming } = this;
    if (incoming.length === 0) return null;
    // One frame is handed over as it is; frames that queued up while aedes was busy are
    // joined so its parser sees them in one call (a copy only when aedes fell behind).
    const data = incoming.length === 1 ? incoming[0]! : Buffer.concat(incoming, this.incomingBytes);
    incoming.length = 0;
    this.incomingBytes = 0;
    if (this.socketClosed) process.nextTick(runEmitClose, this);
    else if (this.ws.isPaused) this.ws.resume();
    return data;
  }

  /** Queues bytes for this turn's frame; false asks the writer to wait for 'drain'. */
  write(chunk: Buffer | string, encoding: BufferEncoding = 'utf8'): boolean {
    if (this.destroyed) return false;
    const bytes = typeof chunk === 'string' ? encoded(chunk, encoding) : chunk;
    this.outgoing.push(bytes);
    this.outgoingBytes += bytes.length;
    // A batch sent early asks to hear when it is out: the check below may find it still
    // in the socket's buffer, and then that send is the one that must report 'drain'.
    if (this.outgoingBytes >= MAX_BATCH_BYTES) this.flush(true);
    else this.flushScheduled ??= setImmediate(runFlush, this);
    if (this.ws.bufferedAmount + this.outgoingBytes < WRITE_HIGH_WATER_BYTES) return true;
    this.needDrain = true; // what is pending will be sent with a callback (see flush)
    return false;
  }

  /** Sends what is queued, then closes normally. */
  end(): this {
    return this.destroy();
  }

  /**
   * Without an error: what is queued still goes out (a refusing CONNACK, say), then a
   * normal close. With one: the connection is dropped at once, unless we refused the peer,
   * in which case it gets our close code first.
   */
  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.incoming.length = 0;
    this.incomingBytes = 0;
    if (this.refusal) {
      this.dropOutgoing();
      this.closeSocket(this.refusal.code, this.refusal.reason);
    } else if (!error) {
      this.flush();
      this.closeSocket(CLOSE_NORMAL, '');
    } else {
      this.dropOutgoing();
      // ws sends its own close code after an error it found; only bound how long it waits.
      if (this.wsFailed) this.closeSocket(null, '');
      else this.ws.terminate();
    }
    return this;
  }

  /** @internal the scheduled flush of a turn's writes */
  flush(reportSent = false): void {
    if (this.flushScheduled) {
      clearImmediate(this.flushScheduled);
      this.flushScheduled = null;
    }
    if (this.outgoingBytes === 0) return;
    this.beforeSend();
    const { outgoing } = this;
    const frame =
      outgoing.length === 1 ? outgoing[0]! : Buffer.concat(outgoing, this.outgoingBytes);
    outgoing.length = 0;
    this.outgoingBytes = 0;
    if (this.ws.readyState !== WebSocket.OPEN) return; // closing: nothing more can be sent
    this.ws.send(frame, SEND_OPTIONS, reportSent || this.needDrain ? this.onSent : undefined);
  }

  /** @internal */
  emitCloseOnce(): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.incoming.length = 0;
    this.incomingBytes = 0;
    this.emit('close');
  }

  /** @internal */
  emitReadable(): void {
    this.readableScheduled = false;
    if (this.incoming.length > 0 && !this.closeEmitted) this.emit('readable');
  }

  private readonly onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
    if (this.destroyed) return;
    if (!isBinary) {
      // [MQTT-6.0.0-1] MQTT travels in binary frames; anything else closes the connection.
      this.refuse(CLOSE_UNSUPPORTED_DATA, 'MQTT needs binary frames', 'text_frame');
      return;
    }
    const chunk = toBuffer(data);
    if (chunk.length === 0) return;
    this.incoming.push(chunk);
    this.incomingBytes += chunk.length;
    // As a Node stream would: stop reading the socket while aedes has this much unread.
    if (this.incomingBytes >= READ_HIGH_WATER_BYTES) this.ws.pause();
    if (!this.readableScheduled) {
      this.readableScheduled = true;
      process.nextTick(runEmitReadable, this);
    }
  };

  private readonly onSent = (): void => {
    if (!this.needDrain || this.destroyed) return;
    if (this.ws.bufferedAmount + this.outgoingBytes > WRITE_LOW_WATER_BYTES) return;
    this.needDrain = false;
    this.emit('drain');
  };

  private readonly onWsError = (error: Error): void => {
    // A frame over maxPayload, a bad opcode, an unmasked client frame: ws already closes
    // the connection with the right code.
    this.wsFailed = true;
    this.emitError(error);
  };

  private readonly onWsClose = (): void => {
    this.destroyed = true;
    this.socketClosed = true;
    this.dropOutgoing();
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    // Packets received before the close are still handed to aedes (a PUBLISH and a
    // DISCONNECT just before the peer hung up), as a Node stream ends only once read.
    if (this.incoming.length === 0) process.nextTick(runEmitClose, this);
    else this.armCloseTimer(() => this.emitCloseOnce());
  };

  private refuse(code: number, reason: string, errorCode: string): void {
    this.refusal = { code, reason };
    if (!this.emitError(new WebSocketTransportError(errorCode, reason))) this.destroy();
  }

  /** False when nobody listens (aedes is gone), so an error can never crash the process. */
  private emitError(error: Error): boolean {
    if (this.listenerCount('error') === 0) return false;
    this.emit('error', error);
    return true;
  }

  private closeSocket(code: number | null, reason: string): void {
    if (code !== null && this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    this.armCloseTimer(() => this.ws.terminate());
  }

  private armCloseTimer(onTimeout: () => void): void {
    if (this.closeTimer || this.closeEmitted) return;
    this.closeTimer = setTimeout(onTimeout, CLOSE_GRACE_MS);
    this.closeTimer.unref();
  }

  private dropOutgoing(): void {
    if (this.flushScheduled) {
      clearImmediate(this.flushScheduled);
      this.flushScheduled = null;
    }
    this.outgoing.length = 0;
    this.outgoingBytes = 0;
  }
}

// mqtt-packet writes a PUBLISH's topic as a string, and a fan-out writes the same topic to
// every subscriber in a row: it is encoded once for all of them. Never modified after
// (frames are copied together, or sent as they are), so one Buffer can serve them all.
let lastText = '';
let lastEncoding: BufferEncoding = 'utf8';
let lastBytes = Buffer.alloc(0);
function encoded(text: string, encoding: BufferEncoding): Buffer {
  if (text !== lastText || encoding !== lastEncoding) {
    lastText = text;
    lastEncoding = encoding;
    lastBytes = Buffer.from(text, encoding);
  }
  return lastBytes;
}

// Module-level callbacks: scheduling them allocates no closure per write or per frame.
function runFlush(connection: WebSocketConnection): void {
  connection.flush();
}
function runEmitReadable(connection: WebSocketConnection): void {
  connection.emitReadable();
}
function runEmitClose(connection: WebSocketConnection): void {
  connection.emitCloseOnce();
}

/** ws delivers a Buffer per message with its default binaryType ('nodebuffer'). */
function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
