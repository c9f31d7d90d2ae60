// mqtt.js imports worker-timers for its 'worker' and 'auto' keepalive timers; Switchboard
// always passes its own (keepalive-timer.ts), so the browser build gets this instead of
// ≈18 KB of unused code. Reaching it means a caller dropped `timerVariant`.
function unused(): never {
  throw new Error('worker-timers is not bundled: pass timerVariant (keepalive-timer.ts)');
}

export const setInterval = unused;
export const clearInterval = unused;
