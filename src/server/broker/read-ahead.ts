import type { Client } from 'aedes';

// aedes 1.2 reads a connection in batches (lib/client.js, `nextBatch`): it parses what the
// socket holds, then reads nothing more until every packet of that read has been handled
// to the end. For a QoS 1 PUBLISH that end is after its PUBACK, an immediate, and routing
// to every subscriber, two or three turns of a busy event loop; a message that arrives
// meanwhile waits in the socket for all of them (docs/benchmarks.md: a third to a half of
// target 4's p99 passed before the server had even parsed the message). Here a connection
// is read whenever data arrives and fewer than READ_AHEAD_PACKETS of its packets are still
// being handled. Order is kept: aedes handles packets in the order parsed, and a batch was
// never handled one packet after another anyway, only its reads were. Backpressure stays:
// past the bound nothing is read, and TCP's window then slows the sender.

/** Packets of one connection being handled at once before reading stops. */
export const READ_AHEAD_PACKETS = 64;

/** The parts of an aedes 1.2 client (lib/client.js) its reading uses. */
interface ReadingClient {
  conn: {
    read(size?: number | null): Buffer | null;
    on(event: 'readable', listener: () => void): unknown;
    removeListener(event: 'readable', listener: () => void): unknown;
  };
  /** `_queue`: packets that came with the CONNECT, until aedes handles them ('connected'). */
  _parser: { parse(buffer: Buffer): unknown; _queue: unknown[] | null };
  /** Packets parsed and not yet handled to the end. */
  _parsingBatch: number;
  /** Set while aedes holds the connection (it calls `_nextBatch()` when it lets go). */
  _paused: boolean;
  connackSent: boolean;
  /** Called as each packet is done, and by `resume()`. */
  _nextBatch(error?: Error | null): void;
  emit(event: 'error', error: Error): boolean;
}

/** Lets the client's connection be read ahead; call right after aedes.handle(). */
export function readAhead(client: Client): void {
  const reading = client as unknown as ReadingClient;
  const readMore = () => {
    if (reading._paused || reading._parsingBatch > READ_AHEAD_PACKETS) return;
    // Between the CONNACK and 'connected', what came with the CONNECT still waits in
    // aedes' queue: what came after must not be handled before it. The CONNECT's own
    // done, after 'connected', reads on.
    if (reading.connackSent && reading._parser._queue !== null) return;
    const buffer = reading.conn.read(null);
    if (buffer) reading._parser.parse(buffer);
  };
  // aedes listens with the same function it calls as each packet is done.
  reading.conn.removeListener('readable', reading._nextBatch);
  // aedes starts its count at one, for its first 'readable' to take off: nothing is
  // being handled yet.
  reading._parsingBatch = 0;
  reading._nextBatch = (error?: Error | null) => {
    if (error) {
      reading.emit('error', error);
      return;
    }
    if (reading._paused) return; // as aedes: on resume it calls this once
    // resume() counts as the CONNECT done, as in aedes, and then the CONNECT's own done
    // once more: one too few for a while, never below nothing.
    reading._parsingBatch = Math.max(0, reading._parsingBatch - 1);
    readMore();
  };
  reading.conn.on('readable', readMore);
}
