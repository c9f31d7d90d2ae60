// The interval timer mqtt.js uses for keepalive. mqtt.js's own worker timer builds its
// worker from a blob: URL, which the server's Content-Security-Policy (script-src 'self')
// rightly blocks; this one is a same-origin module worker bundled by Vite. Where workers
// are unavailable it falls back to the page's own setInterval.
export interface IntervalTimer {
  set(callback: () => void, ms: number): number;
  clear(id: number): void;
}

const nativeTimer: IntervalTimer = {
  set: (callback, ms) => setInterval(callback, ms) as unknown as number,
  clear: (id) => clearInterval(id),
};

let shared: IntervalTimer | null = null;

export function keepaliveTimer(): IntervalTimer {
  shared ??= createWorkerTimer() ?? nativeTimer;
  return shared;
}

function createWorkerTimer(): IntervalTimer | null {
  if (typeof Worker === 'undefined') return null;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./keepalive-timer-worker.ts', import.meta.url), {
      type: 'module',
    });
  } catch {
    return null;
  }
  const callbacks = new Map<number, () => void>();
  let nextId = 1;
  worker.onmessage = (event: MessageEvent<number>) => callbacks.get(event.data)?.();
  return {
    set(callback, ms) {
      const id = nextId++;
      callbacks.set(id, callback);
      worker.postMessage({ type: 'set', id, ms });
      return id;
    },
    clear(id) {
      callbacks.delete(id);
      worker.postMessage({ type: 'clear', id });
    },
  };
}
