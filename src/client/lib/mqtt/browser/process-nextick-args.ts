// mqtt-packet queues its uncork with process-nextick-args, which in a browser (no
// `process.version`) wraps each call in a closure for `process.nextTick`. Ours takes the
// arguments itself (process.ts), so the browser build is pointed here instead.
export { nextTick } from './process';
