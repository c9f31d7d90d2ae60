import { WebSocket } from 'ws';

type OnSend = (at: number, data: Buffer) => void;

const watchers = new Set<OnSend>();
const send = WebSocket.prototype.send;

function sendWatched(this: WebSocket, data: unknown, ...rest: unknown[]) {
  if (Buffer.isBuffer(data)) {
    const at = Date.now();
    for (const onSend of watchers) onSend(at, data);
  }
  return (send as (...args: unknown[]) => void).call(this, data, ...rest);
}

/**
 * Calls `onSend` with the time and bytes of every binary frame the in-process server hands
 * to a WebSocket from now on (the broker's frames to the page): where a delay is spent,
 * the server's side or the page's. For diagnostics; it costs a little per frame. Several
 * watchers may be active at once; each returned function removes only its own.
 */
export function watchServerSends(onSend: OnSend): () => void {
  watchers.add(onSend);
  WebSocket.prototype.send = sendWatched as typeof send;
  return () => {
    watchers.delete(onSend);
    if (watchers.size === 0) WebSocket.prototype.send = send;
  };
}
