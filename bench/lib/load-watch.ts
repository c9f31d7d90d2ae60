import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Aedes } from 'aedes';
import type { SamplingSummary } from './sampling-summary';
import { watchServerSends } from './server-sends';

// What a server process sees during a load, for bench:page (run inside the server's
// process, started and stopped over RPC by bench/servers/switchboard-server.ts).

/** The publish time the load generators stamp into chat messages and agent states. */
const STAMP = /"(?:sentAt|updatedAt)":(\d{13})/g;

export interface LoadWatch {
  /** Event-loop delay, ms. */
  loopDelay: { p50: number; p99: number; max: number };
  /** publish → PUBLISH parsed by the broker, ms, per stamped message (with `stamps`). */
  received: number[];
  /** publish → frame handed to a WebSocket, ms, per stamped message (with `stamps`). */
  sent: number[];
  /** Garbage-collection pauses of the server's main thread, by kind. */
  gc: GcPauses[];
  /** What the server allocated, by package and function (with `allocations`). */
  allocations?: SamplingSummary;
}

type GcKind = 'minor' | 'major' | 'other';
interface GcPauses {
  kind: GcKind;
  count: number;
  totalMs: number;
  maxMs: number;
}

const GC_KINDS: Record<number, GcKind> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
};

/**
 * Watches the event loop's delay and, with `stamps`, when each stamped message was parsed
 * (aedes asks authorizePublish about a PUBLISH as soon as it is parsed) and when it left
 * in a WebSocket frame. Each costs a little per message; `stop` undoes both.
 */
export function startLoadWatch(aedes: Aedes, stamps: boolean): { stop(): LoadWatch } {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const gc = new Map<GcKind, GcPauses>();
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A 'gc' entry's detail names its kind (Node's docs); @types/node leaves it out.
      const { detail } = entry as { detail?: { kind?: number } };
      const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
      const pauses = gc.get(kind) ?? { kind, count: 0, totalMs: 0, maxMs: 0 };
      pauses.count += 1;
      pauses.totalMs += entry.duration;
      pauses.maxMs = Math.max(pauses.maxMs, entry.duration);
      gc.set(kind, pauses);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const received: number[] = [];
  const sent: number[] = [];
  const stampsOf = (data: Buffer) =>
    Array.from(data.toString('latin1').matchAll(STAMP), (match) => Number(match[1]));
  const authorizePublish = aedes.authorizePublish;
  let unwatchSends = () => {};
  if (stamps) {
    unwatchSends = watchServerSends((at, data) => {
      for (const stamp of stampsOf(data)) sent.push(at - stamp);
    });
    aedes.authorizePublish = (client, packet, done) => {
      const at = Date.now();
      for (const stamp of stampsOf(packet.payload as Buffer)) received.push(at - stamp);
      authorizePublish.call(aedes, client, packet, done);
    };
  }
  return {
    stop() {
      loop.disable();
      gcObserver.disconnect();
      unwatchSends();
      aedes.authorizePublish = authorizePublish;
      const ms = (ns: number) => ns / 1e6;
      return {
        loopDelay: {
          p50: ms(loop.percentile(50)),
          p99: ms(loop.percentile(99)),
          max: ms(loop.max),
        },
        received,
        sent,
        gc: [...gc.values()],
      };
    },
  };
}
