import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The Node server (npm run dev) serves the API and the broker's WebSocket on :8080; the
// dev server proxies both so the app talks to one origin, as it does in production.
const SERVER_ORIGIN = 'http://127.0.0.1:8080';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * mqtt.js reads one field of its package.json, `version` (lib/shared.js, for
 * MqttClient.VERSION), and the bundler kept the whole manifest for it: its scripts,
 * dependencies and devDependencies, ≈1 KB gzip. The browser build gets the version alone.
 */
function mqttVersionOnly(): Plugin {
  return {
    name: 'switchboard:mqtt-version-only',
    enforce: 'pre',
    load(id) {
      if (!id.endsWith('/node_modules/mqtt/package.json')) return null;
      const { version } = JSON.parse(readFileSync(id, 'utf8')) as { version: string };
      return JSON.stringify({ version });
    },
  };
}

export default defineConfig({
  plugins: [react(), mqttVersionOnly()],
  resolve: {
    alias: [
      // mqtt.js built from its modules, WebSocket only (see mqtt-browser.ts).
      { find: /^mqtt$/, replacement: fromRoot('src/client/lib/mqtt/browser/mqtt-browser.ts') },
      { find: /^debug$/, replacement: fromRoot('src/shared/no-debug.cjs') },
      {
        find: /^lru-cache$/,
        replacement: fromRoot('src/client/lib/mqtt/browser/small-lru-cache.ts'),
      },
      // readable-stream's classes without its pipeline, compose and operators, and without
      // string_decoder, which only a stream given an encoding needs.
      {
        find: /^readable-stream$/,
        replacement: fromRoot('src/client/lib/mqtt/browser/readable-stream.cjs'),
      },
      {
        find: /^string_decoder\/?$/,
        replacement: fromRoot('src/client/lib/mqtt/browser/no-string-decoder.ts'),
      },
      // mqtt-packet's parser uses a BufferList; bl's index wraps it in a Duplex stream.
      { find: /^bl$/, replacement: 'bl/BufferList.js' },
      {
        find: /^process-nextick-args$/,
        replacement: fromRoot('src/client/lib/mqtt/browser/process-nextick-args.ts'),
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
    // The polyfill fetches the <link rel="modulepreload"> of a page, for browsers that
    // ignore them: index.html has none (one entry chunk), and the lazy chunks' preloads
    // name only chunks already loaded by then (the entry, the workspace).
    modulePreload: { polyfill: false },
    // The lazily loaded workspace chunk carries mqtt.js (≈78 KB gz); the first download
    // is the sign-in chunk, which test/client/app/initial-bundle.test.ts keeps free of it.
    chunkSizeWarningLimit: 600,
  },
});
