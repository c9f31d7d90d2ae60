import { defineConfig } from 'vitest/config';

// Standard MQTT clients (Debian's mosquitto-clients) against the embedded broker.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
