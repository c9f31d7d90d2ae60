import { defineConfig } from 'vitest/config';

// Real Chromium (Debian's /usr/bin/chromium) against the real server.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
