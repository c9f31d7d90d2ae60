import type { Writable } from 'node:stream';

/**
 * Sends what a connection is written in one event-loop turn with one system call.
 *
 * aedes writes every packet through mqtt-packet, which corks the stream and uncorks it on
 * the next tick, so each PUBACK and each delivery to a TCP client cost a `writev` of its
 * own: 7 % of the broker's time with one client publishing 5,000 QoS 1 messages/s. Here
 * the first cork of a turn, or the first write when nothing corked the stream (retained
 * states are written already encoded), schedules the uncork for the turn's end
 * (`setImmediate`, after the I/O that produced the packets), as the WebSocket transport
 * batches its frames, and the uncorks in between do nothing. Scheduling at the cork puts the flush ahead of the
 * `setImmediate` aedes queues after each write, so a packet is out before aedes acts on
 * having written it (destroying the connection after a refusing CONNACK, say). Writes
 * still report backpressure (`write()` returns false past the high-water mark, then
 * 'drain'), and `end()` sends what is waiting first (Node's own `end()` uncorks through
 * `uncork()`, and a stream uncorked only after it ended never finishes).
 *
 * `beforeSend` runs before the writes leave: the broker commits the turn's history there,
 * so a PUBACK never reaches a client before the message it acknowledges is written.
 */
export function batchWritesPerTurn(stream: Writable, beforeSend: () => void = () => {}): void {
  const { cork, uncork, end, write } = stream;
  let scheduled = false;
  const uncorkAll = () => {
    if (stream.writableCorked > 0) beforeSend();
    while (stream.writableCorked > 0) uncork.call(stream);
  };
  const release = () => {
    scheduled = false;
    uncorkAll();
  };
  stream.cork = () => {
    cork.call(stream);
    if (scheduled) return;
    scheduled = true;
    setImmediate(release);
  };
  stream.uncork = () => {};
  // A write that comes without a cork (a packet encoded ahead, written in one piece) is
  // held for the turn's end as well.
  stream.write = function writeInTurn(this: Writable, ...args: Parameters<Writable['write']>) {
    if (!scheduled) stream.cork();
    return write.apply(this, args);
  } as Writable['write'];
  stream.end = function endAfterWaiting(this: Writable, ...args: Parameters<Writable['end']>) {
    uncorkAll();
    return end.apply(this, args);
  } as Writable['end'];
}
