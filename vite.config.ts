import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Node server (npm run dev) serves the API and the broker's WebSocket on :8080; the
// dev server proxies both so the app talks to one origin, as it does in production.
const SERVER_ORIGIN = 'http://127.0.0.1:8080';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [
      // mqtt.js built from its modules, WebSocket only (see mqtt-browser.ts).
      { find: /^mqtt$/, replacement: fromRoot('src/client/lib/mqtt/browser/mqtt-browser.ts') },
      { find: /^debug$/, replacement: fromRoot('src/shared/no-debug.cjs') },
      {
        find: /^lru-cache$/,
        replacement: fromRoot('src/client/lib/mqtt/browser/small-lru-cache.ts'),
      },
      {
        find: /^worker-timers$/,
        replacement: fromRoot('src/client/lib/mqtt/browser/no-worker-timers.ts'),
      },
      // The Node built-ins mqtt.js and mqtt-packet require, as their browser packages, and
      // a `process` of our own (nextTick as a microtask).
      { find: /^buffer$/, replacement: 'buffer/' },
      { find: /^events$/, replacement: 'events/' },
      {
        find: /^process\/?$/,
        replacement: fromRoot('src/client/lib/mqtt/browser/process.ts'),
      },
    ],
  },
  server: {
    proxy: {
      '/api': { target: SERVER_ORIGIN },
      '/mqtt': { target: SERVER_ORIGIN, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The lazily loaded workspace chunk carries mqtt.js (≈78 KB gz); the first download
    // is the sign-in chunk, which test/client/app/initial-bundle.test.ts keeps free of it.
    chunkSizeWarningLimit: 600,
  },
});
