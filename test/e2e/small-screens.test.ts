import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { waitConnected } from './support/workspace-page';

// A phone, and a desktop window at 200 % zoom (1280×900 seen as 640×450 CSS pixels).
const SCREENS = [
  { name: 'a phone', width: 375, height: 700 },
  { name: '200 % zoom', width: 640, height: 450 },
];

describe('small screens and large text', () => {
  const e2e = useE2eHarness('small-screens');

  it.each(SCREENS)(
    'on $name, the admin console scrolls inside its panel and never stretches the page',
    async (screen) => {
      const server = await e2e.startServer();
      // A second person online: two cards of live sessions push the stored ones far down.
      await e2e.signIn(server, 'alice@demo');
      const { page } = await e2e.signIn(server, 'admin@demo');
      e2e.showcase(page);
      await page.setViewportSize(screen);

      await page.goto('/#/admin/sessions');
      await page.getByRole('heading', { name: /^Away, with a stored session/ }).waitFor();
      await expectPageFitsScreen(page);

      // The rules editor opens below the users' cards, its labels partly visually hidden.
      await page.getByRole('tab', { name: 'Users' }).click();
      await page.getByRole('button', { name: /^Extra rules of bob/ }).click();
      const rules = page.getByRole('region', { name: 'Extra rules for bob' });
      await rules.getByRole('button', { name: 'Add a rule' }).click();
      await rules.getByRole('textbox', { name: 'Rule 1 Topic filter' }).waitFor();
      await expectPageFitsScreen(page);
      await waitConnected(page); // the header is still there, at the top
    },
  );
});

/**
 * The app fills the window and scrolls inside its panels: a page taller than the window
 * lets a wheel or a swipe that overshoots a list slide the whole app, header and all, off
 * the screen, leaving it blank.
 */
async function expectPageFitsScreen(page: Page): Promise<void> {
  const size = await page.evaluate(() => ({
    height: document.documentElement.scrollHeight,
    width: document.documentElement.scrollWidth,
    window: { height: window.innerHeight, width: window.innerWidth },
  }));
  expect(size.height).toBeLessThanOrEqual(size.window.height);
  expect(size.width).toBeLessThanOrEqual(size.window.width);
}
