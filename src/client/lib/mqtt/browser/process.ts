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
 */
export function nextTick<Args extends unknown[]>(
  callback: (...args: Args) => void,
  ...args: Args
): void {
  queueMicrotask(() => callback(...args));
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
