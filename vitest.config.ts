import { configDefaults, defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `npm test`: everything that needs only Node. Browser (e2e) and Mosquitto (interop)
// suites have their own configs, run by .ci/run after it installs those packages.
export default defineConfig({
  plugins: [react()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'test/shared/**/*.test.ts',
            'test/server/**/*.test.ts',
            'test/agents/**/*.test.ts',
            // the lint rules that keep STYLE.md's import boundaries
            'test/tooling/**/*.test.ts',
            // the browser's connection module against the real server
            'test/integration/**/*.test.ts',
            // client code that needs no page but its own jsdom window (see the file)
            'test/client/**/*.node.test.ts',
          ],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'client',
          include: ['test/client/**/*.test.{ts,tsx}'],
          exclude: [...configDefaults.exclude, 'test/client/**/*.node.test.ts'],
          environment: 'jsdom',
          setupFiles: ['test/client/setup.ts'],
          testTimeout: 20_000,
        },
      },
    ],
  },
});
