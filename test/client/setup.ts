import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { resetAllStores } from '../../src/client/app/reset-stores';
import { server } from './support/msw-server';

// jsdom lays nothing out, so every element measures 0 px and a virtualizer would
// render no rows at all. Give scroll containers a viewport.
const VIEWPORT = { width: 1_000, height: 800 };
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get: () => VIEWPORT.height,
});
Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
  configurable: true,
  get: () => VIEWPORT.width,
});

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));

afterEach(() => {
  cleanup();
  server.resetHandlers();
  resetAllStores();
  localStorage.clear();
  sessionStorage.clear();
  // The workspace writes its view into the location; the next test starts at none.
  window.history.replaceState(null, '', '/');
  vi.useRealTimers();
  vi.restoreAllMocks();
});

afterAll(() => server.close());
