import { WebSocket } from 'ws';

/**
 * Calls `onSend` with the time and bytes of every binary frame the in-process server hands
 * to a WebSocket from now on (the broker's frames to the page): where a delay is spent,
 * the server's side or the page's. For diagnostics; it costs a little per frame.
 */
export function watchServerSends(onSend: (at: number, data: Buffer) => void): () => void {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (Buffer.isBuffer(data)) onSend(Date.now(), data);
    return (send as (...args: unknown[]) => void).call(this, data, ...rest);
  } as typeof send;
  return () => {
    WebSocket.prototype.send = send;
  };
}
