import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { waitConnected } from './support/workspace-page';

describe('addresses', () => {
  const e2e = useE2eHarness('addresses');

  it('an address that names no view says so, naming it, and stays in the address bar', async () => {
    const server = await e2e.startServer();
    const { page } = await e2e.signIn(server, 'alice@demo');
    const main = page.getByRole('main');
    for (const [hash, heading, named] of [
      ['#/rooms/GENERAL', 'Room not found', 'There is no room #GENERAL'],
      ['#/rooms/%3Cscript%3E', 'Room not found', 'There is no room #<script>'],
      ['#/rooms/general/extra', 'Page not found', '“#/rooms/general/extra”'],
      ['#/bogus', 'Page not found', '“#/bogus”'],
    ] as const) {
      await page.goto(`/${hash}`);
      await waitConnected(page);
      await main.getByRole('heading', { name: heading, level: 2 }).waitFor();
      await main.getByText(named).waitFor();
      expect(new URL(page.url()).hash).toBe(hash);
      expect(await page.title()).toBe(`${heading} — Switchboard`);
    }
    await e2e.snapshot(page, 'page not found');
    await main.getByRole('button', { name: 'Go to Welcome' }).click();
    await main.getByRole('heading', { name: 'Welcome', level: 2 }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
  });

  it('Escape closes the phone menu and gives focus back to its toggle', async () => {
    const server = await e2e.startServer();
    const { page } = await e2e.signIn(server, 'alice@demo');
    await page.setViewportSize({ width: 390, height: 844 });
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.click();
    const agents = page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', {
      name: 'Agents',
    });
    await agents.focus();
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await menu.evaluate((node) => node === document.activeElement)).toBe(true);
    expect(await agents.isVisible()).toBe(false);
  });
});
