import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addAgentUsers } from './support/agent-simulator';
import { launchWithTextSize } from './support/browser';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs } from './support/mqtt-observer';
import { openRoom, signInOn, waitConnected } from './support/workspace-page';

// A phone, and a desktop window at 200 % zoom (1280×900 seen as 640×450 CSS pixels).
const PHONE = { name: 'a phone', width: 375, height: 700 };
const SCREENS = [PHONE, { name: '200 % zoom', width: 640, height: 450 }];

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

  it('on a phone, the question before signing out with a message unsent fits the screen', async () => {
    const server = await e2e.startServer();
    const { page, context } = await e2e.signIn(server, 'alice@demo');
    const room = await openRoom(page, 'general');
    await page.setViewportSize(PHONE);
    await context.setOffline(true);
    await room.send('kept while offline');
    await room.message('kept while offline').getByText('pending').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    const question = page.getByRole('alertdialog', {
      name: '1 message or command is not sent yet and will be lost.',
    });
    await question.waitFor();
    await expectWithinWindow(page, question.getByRole('button', { name: 'Stay' }));
    await expectWithinWindow(page, question.getByRole('button', { name: 'Sign out anyway' }));
    await expectPageFitsScreen(page);
    await context.setOffline(false);
  });

  it('text is the size the browser is set to (24 px here), not a fixed 16 px', async () => {
    const server = await e2e.startServer();
    const profile = await mkdtemp(path.join(tmpdir(), 'switchboard-profile-'));
    e2e.onCleanup(() => rm(profile, { recursive: true, force: true }));
    const context = await launchWithTextSize(profile, 24, server.httpUrl);
    e2e.onCleanup(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    await signInOn(page, 'alice@demo');
    const room = await openRoom(page, 'general');
    await room.send('large enough to read');
    const text = room.message('large enough to read').getByText('large enough to read');
    expect(await text.evaluate((node) => getComputedStyle(node).fontSize)).toBe('24px');
    await e2e.snapshot(page, 'text size 24 px');
  });

  it('on a phone with 24 px text, agents’ names read whole and the bell shows beside its badge', async () => {
    const server = await e2e.startServer();
    const agents = ['agent-01', 'agent-02'];
    await addAgentUsers(server, agents.length);
    for (const agent of agents) {
      const observer = await connectAs(server, agent);
      e2e.onCleanup(() => observer.close());
      const state = {
        status: 'working',
        task: `Task of ${agent}`,
        progress: 40,
        updatedAt: Date.now(),
      };
      await observer.client.publishAsync(`agents/${agent}/state`, JSON.stringify(state), {
        qos: 1,
        retain: true,
      });
    }
    const notifier = await connectAs(server, 'notifier');
    e2e.onCleanup(() => notifier.close());
    const note = { id: randomUUID(), title: 'Look', body: 'here', createdAt: Date.now() };
    await notifier.client.publishAsync('notifications/alice', JSON.stringify(note), { qos: 1 });

    const profile = await mkdtemp(path.join(tmpdir(), 'switchboard-profile-'));
    e2e.onCleanup(() => rm(profile, { recursive: true, force: true }));
    const context = await launchWithTextSize(profile, 24, server.httpUrl);
    e2e.onCleanup(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setViewportSize(PHONE);
    await signInOn(page, 'alice@demo');
    await page.goto('/#/agents'); // the menu is behind a button on a phone
    await page.getByRole('heading', { name: 'Agents', level: 2 }).waitFor();
    const names = agents.map((agent) => page.getByRole('link', { name: agent, exact: true }));
    const bell = page.getByRole('link', { name: 'Notifications, 1 unread' });
    for (const shown of [...names, bell]) await shown.waitFor();
    await e2e.snapshot(page, 'agents at 24 px text');
    for (const name of names) {
      // Not cut to "agent…": the whole id fits its box.
      expect(await name.evaluate((node) => node.scrollWidth <= node.clientWidth)).toBe(true);
    }
    const covered = await bell.evaluate((link) => {
      const icon = link.querySelector('svg')?.getBoundingClientRect();
      const badge = link.querySelector('.badge')?.getBoundingClientRect();
      if (!icon || !badge) return null;
      const width = Math.max(
        0,
        Math.min(icon.right, badge.right) - Math.max(icon.left, badge.left),
      );
      const height = Math.max(
        0,
        Math.min(icon.bottom, badge.bottom) - Math.max(icon.top, badge.top),
      );
      return (width * height) / (icon.width * icon.height);
    });
    // The badge sits on the bell's corner, covering about a quarter of it as at 16 px text
    // (a 20 px bell under a badge of 24 px text lost a third).
    expect(covered).not.toBeNull();
    expect(covered).toBeLessThan(0.3);
  });
});

/** Wholly inside the window: nothing of it cut off at an edge, so it can be seen and tapped. */
async function expectWithinWindow(page: Page, element: Locator): Promise<void> {
  const box = await element.boundingBox();
  if (!box) throw new Error('the element is not shown');
  const window = await page.evaluate(() => ({ width: innerWidth, height: innerHeight }));
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(window.width);
  expect(box.y + box.height).toBeLessThanOrEqual(window.height);
}

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
