import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import { REPO_ROOT } from './child-process';
import {
  assertAppBuilt,
  startE2eServer,
  type E2eServer,
  type E2eServerOptions,
} from './e2e-server';
import { signIn, type UserPage } from './workspace-page';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');

type Cleanup = () => Promise<unknown> | unknown;

export interface E2eHarness {
  readonly browser: Browser;
  /** A server for this test only; stopped (and its data dir removed) after the test. */
  startServer(options?: E2eServerOptions): Promise<E2eServer>;
  /**
   * A fresh context signed in as `username`; closed after the test. `prepare` runs on the
   * context before its first page opens.
   */
  signIn(
    server: E2eServer,
    username: string,
    password?: string,
    prepare?: (context: BrowserContext) => Promise<void>,
  ): Promise<UserPage>;
  /** The page whose final state is saved as the test's screenshot (default: first signed in). */
  showcase(page: Page): void;
  /** Saves an intermediate screenshot as `<file>--<label>.png` (for docs and debugging). */
  snapshot(page: Page, label: string): Promise<void>;
  /** Runs after the test (after the screenshot), last registered first. */
  onCleanup(cleanup: Cleanup): void;
}

/**
 * One browser per test file, a fresh context per user, a server per test, and a
 * screenshot of every test's final state under test-results/e2e/.
 */
export function useE2eHarness(fileName: string): E2eHarness {
  let browser: Browser | null = null;
  let showcased: Page | null = null;
  let cleanups: Cleanup[] = [];
  const contexts: BrowserContext[] = [];
  const consoleLines: string[] = [];

  beforeAll(async () => {
    assertAppBuilt();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    browser = await launchBrowser();
  });

  afterEach(async (context) => {
    if (showcased && !showcased.isClosed()) {
      const name = `${fileName}--${slug(context.task.name)}.png`;
      await showcased
        .screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true })
        .catch((error: unknown) => console.warn(`screenshot ${name} failed: ${String(error)}`));
    }
    if (context.task.result?.state === 'fail' && consoleLines.length > 0) {
      console.log(`browser console of "${context.task.name}":\n${consoleLines.join('\n')}`);
    }
    showcased = null;
    consoleLines.length = 0;
    // Pages first, so no client reconnects to a server being stopped.
    await Promise.all(contexts.splice(0).map((ctx) => ctx.close().catch(() => undefined)));
    const pending = cleanups.reverse();
    cleanups = [];
    for (const cleanup of pending) {
      try {
        await cleanup();
      } catch (error) {
        console.warn(`cleanup failed: ${String(error)}`);
      }
    }
  });

  afterAll(async () => {
    await browser?.close();
  });

  const harness: E2eHarness = {
    get browser() {
      if (!browser) throw new Error('the browser is not launched yet (use the harness in a test)');
      return browser;
    },
    async startServer(options) {
      const server = await startE2eServer(options);
      cleanups.push(() => server.cleanup());
      return server;
    },
    async signIn(server, username, password, prepare) {
      const user = await signIn(harness.browser, server.httpUrl, username, password, prepare);
      contexts.push(user.context);
      user.context.on('page', (page) => watchConsole(page, username));
      watchConsole(user.page, username);
      showcased ??= user.page;
      return user;
    },
    showcase(page) {
      showcased = page;
    },
    async snapshot(page, label) {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${fileName}--${slug(label)}.png`) });
    },
    onCleanup(cleanup) {
      cleanups.push(cleanup);
    },
  };

  function watchConsole(page: Page, who: string) {
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        consoleLines.push(`[${who}] ${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => consoleLines.push(`[${who}] pageerror: ${error.message}`));
  }

  return harness;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}
