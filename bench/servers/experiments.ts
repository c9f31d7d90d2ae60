import type { Aedes, Client } from 'aedes';
import { WebSocketConnection } from '../../src/server/broker/transports/websocket-connection';

// What-if changes to the server, applied only inside the benchmark's server process, to
// measure a proposed change before anyone makes it in src/. Each names what it would change.

export const EXPERIMENTS = {
  /**
   * aedes looks up every PUBACK in the persistence (a LevelDB get on disk) to clear the
   * stored outgoing packet; a clean session never stores one (aedes writes its QoS 1
   * deliveries without outgoingUpdate), so the lookup always misses. Switchboard now
   * answers "not found" for clean sessions at once (src/server/broker/persistence.ts);
   * this applies the same to the plain-Aedes reference.
   */
  'clean-puback': (aedes: Aedes) => {
    // aedes' types leave the persistence out; it is the instance given at creation.
    const { persistence } = aedes as unknown as {
      persistence: {
        outgoingClearMessageId(client: Client, packet: unknown): Promise<unknown>;
      };
    };
    const clearMessageId = persistence.outgoingClearMessageId.bind(persistence);
    persistence.outgoingClearMessageId = (client, packet) =>
      client.clean ? Promise.resolve(undefined) : clearMessageId(client, packet);
  },
  /**
   * The WebSocket transport sends what a connection is due in one event-loop turn as one
   * frame, and the page pays per frame (fifteenth round: a trickling load gave it ten times
   * the frames). These hold a connection's next frame until 8 or 16 ms (about a screen
   * frame) after its last, so a page gets at most 125 or 60 frames a second, each larger,
   * at the cost of that much more latency for the messages that wait.
   */
  'ws-frames-every-8ms': () => paceWebSocketFrames(8),
  'ws-frames-every-16ms': () => paceWebSocketFrames(16),
} satisfies Record<string, (aedes: Aedes) => void>;

/** Replaces the transport's "flush at the end of the turn" with "not before `intervalMs`
 * after the connection's last frame" (writes reaching MAX_BATCH_BYTES still go at once). */
function paceWebSocketFrames(intervalMs: number): void {
  interface Paced {
    write(chunk: Buffer | string, encoding?: BufferEncoding): boolean;
    flush(reportSent?: boolean): void;
    flushScheduled: unknown;
    outgoingBytes: number;
  }
  const proto = WebSocketConnection.prototype as unknown as Paced;
  const sentAt = new WeakMap<object, number>();
  const timers = new WeakMap<object, NodeJS.Timeout>();
  // clearImmediate ignores an object already marked destroyed: the transport's own checks
  // (`flushScheduled ??=`, clearImmediate in flush and close) keep working with it.
  const held = { _destroyed: true };
  const { flush, write } = proto;
  proto.flush = function (this: Paced, reportSent?: boolean) {
    const timer = timers.get(this);
    if (timer) {
      clearTimeout(timer);
      timers.delete(this);
    }
    sentAt.set(this, performance.now());
    flush.call(this, reportSent);
  };
  proto.write = function (this: Paced, chunk, encoding) {
    const scheduledBefore = this.flushScheduled !== null;
    const result = write.call(this, chunk, encoding);
    if (scheduledBefore || this.flushScheduled === null || this.outgoingBytes === 0) return result;
    const wait = (sentAt.get(this) ?? 0) + intervalMs - performance.now();
    if (wait <= 0) return result;
    clearImmediate(this.flushScheduled as NodeJS.Immediate);
    this.flushScheduled = held;
    timers.set(
      this,
      setTimeout(() => this.flush(), wait),
    );
    return result;
  };
}

export type ExperimentName = keyof typeof EXPERIMENTS;

export function applyExperiments(aedes: Aedes, names: string[]): void {
  for (const name of names) {
    const experiment = EXPERIMENTS[name as ExperimentName];
    if (!experiment)
      throw new Error(`unknown experiment ${name}: ${Object.keys(EXPERIMENTS).join(', ')}`);
    experiment(aedes);
  }
}
