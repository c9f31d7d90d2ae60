import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Node server (npm run dev) serves the API and the broker's WebSocket on :8080; the
// dev server proxies both so the app talks to one origin, as it does in production.
const SERVER_ORIGIN = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
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
    // The lazily loaded workspace chunk carries mqtt.js (≈105 KB gz); the first download
    // is the sign-in chunk, which test/client/app/initial-bundle.test.ts keeps free of it.
    chunkSizeWarningLimit: 600,
  },
});
