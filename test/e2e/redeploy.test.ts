import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { DEMO_PASSWORD } from './support/e2e-server';
import { UI_TIMEOUT_MS, waitConnected } from './support/workspace-page';

// A page opened before a redeploy names the chunks of the build it came with; the server
// has only the new build's (Vite fingerprints them). Signing in then imports a workspace
// chunk that is gone: the app reloads once (the new index.html names chunks that exist),
// and if that does not help says so, rather than leaving a blank page.

const WORKSPACE_CHUNK = '**/assets/workspace-*.js';

describe('a lazily loaded chunk gone after a redeploy', () => {
  const e2e = useE2eHarness('redeploy');

  async function openSignInPage(url: string, route: Parameters<BrowserContext['route']>[1]) {
    const context = await e2e.browser.newContext({ baseURL: url });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    e2e.onCleanup(() => context.close());
    await context.route(WORKSPACE_CHUNK, route);
    const page = await context.newPage();
    e2e.showcase(page);
    const loads = { pages: 0 };
    page.on('request', (request) => {
      if (request.isNavigationRequest()) loads.pages += 1;
    });
    await page.goto('/');
    await page.getByLabel('Username').fill('alice@demo');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    return { page, loads };
  }

  const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent);

  it('missing for good: one reload, then "Switchboard was updated" with Reload focused', async () => {
    const server = await e2e.startServer();
    const statuses: number[] = [];
    const { page, loads } = await openSignInPage(server.httpUrl, async (route) => {
      // The real server asked for a chunk it does not have: what it answers is the test.
      const gone = route.request().url().replace('/assets/workspace-', '/assets/workspace-gone-');
      const response = await route.fetch({ url: gone });
      statuses.push(response.status());
      await route.fulfill({ response });
    });
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('Switchboard was updated; reload to continue.');
    await expect.poll(() => focusedText(page)).toBe('Reload');
    expect(loads.pages).toBe(2); // the first page, and one reload: no loop
    expect(statuses).toEqual([404, 404]);
  });

  it('back after the reload: the workspace opens', async () => {
    const server = await e2e.startServer();
    let refused = 0;
    const { page, loads } = await openSignInPage(server.httpUrl, async (route) => {
      if (refused++ === 0) await route.fulfill({ status: 404, body: 'gone' });
      else await route.continue();
    });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitConnected(page);
    expect(loads.pages).toBe(2);
  });
});
