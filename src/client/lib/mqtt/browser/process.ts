/**
 * Node's `process`, as much of it as mqtt.js, mqtt-packet and readable-stream use in the
 * browser build (vite.config.ts points `process` and `process/` here).
 *
 * The `process` package runs `nextTick` callbacks from a `setTimeout(0)`, a task of its
 * own after the WebSocket message that queued them (and at least 4 ms later once timers
 * nest). mqtt.js handles each received packet in a `nextTick`, and mqtt-packet uncorks its
 * writes in one: every PUBACK waited for a timer and went out as a WebSocket frame of its
 * own. As a microtask, as in Node, a frame's packets are handled in the task that received
 * it and their PUBACKs leave together.
 *
 * As in Node, the callbacks wait in one queue that one microtask runs through, ticks
 * queued by ticks included, before any promise reaction queued meanwhile: the order
 * mqtt.js and readable-stream were written for. A microtask per callback also cost
 * `queueMicrotask` 1.3–1.8 % of the page's main thread at 10,000 packets/s.
 */
type Tick = { callback: (...args: unknown[]) => void; args: unknown[] };
let ticks: Tick[] = [];
let scheduled = false;

function runTicks(): void {
  // A callback that throws is reported as uncaught, as Node does; the rest still run.
  for (let index = 0; index < ticks.length; index++) {
    const { callback, args } = ticks[index] as Tick;
    try {
      callback(...args);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  ticks = [];
  scheduled = false;
}

export function nextTick<Args extends unknown[]>(
  callback: (...args: Args) => void,
  ...args: Args
): void {
  // The arguments are the callback's own, kept with it until it runs.
  ticks.push({ callback: callback as (...args: unknown[]) => void, args });
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(runTicks);
}

const browserProcess = {
  nextTick,
  browser: true,
  env: {} as Record<string, string | undefined>,
  argv: [] as string[],
  version: '',
  versions: {} as Record<string, string>,
  platform: 'browser',
  cwd: () => '/',
};

export default browserProcess;
