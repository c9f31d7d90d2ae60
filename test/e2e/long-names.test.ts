import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { DEMO_PASSWORD, type E2eServer } from './support/e2e-server';
import { connectAs } from './support/mqtt-observer';
import { openSection, UI_TIMEOUT_MS } from './support/workspace-page';

// Ids may be 64 characters and room names 100: the longest of them must not widen the
// sidebar past its badges, nor a phone's page past its screen.
const LONG_ROOM = 'incident-2026-12-06-payment-gateway-outage-and-retry-storm-review'.slice(0, 64);
const NAMED_ROOM = 'naming';
const LONG_NAME = `Quarterly${'Reconciliation'.repeat(5)}Followups`; // one word of 88 characters
const LONG_AGENT = `sensor${'0123456789'.repeat(5)}abcdefgh`; // 64 characters, no break
const PHONE = { width: 390, height: 844 };

describe('long ids and names', () => {
  const e2e = useE2eHarness('long-names');

  it('keep every unread badge in the sidebar, end in an ellipsis, and never scroll a phone sideways', async () => {
    const server = await e2e.startServer();
    await server.cli([
      'user',
      'add',
      `${LONG_AGENT}@demo`,
      '--role',
      'agent',
      '--password',
      DEMO_PASSWORD,
    ]);
    const { page } = await e2e.signIn(server, 'alice@demo');
    await createRoom(page, NAMED_ROOM, LONG_NAME);

    // The long id through the New room form, as QA did.
    const nav = page.getByRole('navigation', { name: 'Workspace' });
    await nav.getByText('New room').click();
    await nav.getByLabel('Room id').fill(LONG_ROOM);
    await nav.getByRole('button', { name: 'Create' }).click();
    await nav.getByRole('link', { name: `# ${LONG_ROOM}` }).waitFor();
    await nav.getByRole('link', { name: `# ${LONG_NAME}` }).waitFor();

    await openSection(page, 'People');
    await publishUnread(server, ['general', LONG_ROOM, NAMED_ROOM]);
    await expect.poll(() => nav.locator('.badge').count(), { timeout: UI_TIMEOUT_MS }).toBe(3);
    await expectBadgesInSidebar(page);
    // The label is cut short of its badge, with an ellipsis, the full name still its text.
    const label = nav.getByRole('link', { name: `# ${LONG_ROOM}` }).locator('.nav-item__label');
    expect(await overflowOf(label)).toEqual({ cut: true, ellipsis: true });

    await page.setViewportSize(PHONE);
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.click();
    await expectBadgesInSidebar(page);
    await expectNoSidewaysScroll(page);
    await e2e.snapshot(page, 'phone menu');

    // The long name as the room's heading and its history's first line.
    await nav.getByRole('link', { name: `# ${LONG_NAME}` }).click();
    const heading = page.getByRole('heading', { name: `# ${LONG_NAME}`, level: 2 });
    await heading.waitFor();
    const beginning = page.getByText(`Beginning of #${LONG_NAME}`, { exact: true });
    await beginning.waitFor();
    await expectWithinScreen(heading);
    await expectWithinScreen(beginning);
    await expectNoSidewaysScroll(page);

    // An agent with a 64-character id, on the board and on its own page.
    const agent = await connectAs(server, LONG_AGENT);
    e2e.onCleanup(() => agent.close());
    await agent.client.publishAsync(
      `agents/${LONG_AGENT}/state`,
      JSON.stringify({ status: 'working', task: 'long ids', updatedAt: Date.now() }),
      { qos: 1, retain: true },
    );
    await menu.click();
    await openSection(page, 'Agents');
    const open = page.getByRole('link', { name: LONG_AGENT, exact: true });
    await open.waitFor();
    await expectWithinScreen(open);
    expect(await overflowOf(open)).toEqual({ cut: true, ellipsis: true });
    await expectNoSidewaysScroll(page);
    await open.click();
    const agentHeading = page.getByRole('heading', { name: LONG_AGENT, level: 2 });
    await agentHeading.waitFor();
    await expectWithinScreen(agentHeading);
    await expectNoSidewaysScroll(page);
  });
});

async function createRoom(page: Page, id: string, name: string): Promise<void> {
  const status = await page.evaluate(
    async (body) => {
      const response = await fetch('/api/rooms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return response.status;
    },
    { id, name },
  );
  expect(status).toBe(201);
}

async function publishUnread(server: E2eServer, rooms: readonly string[]): Promise<void> {
  const bob = await connectAs(server, 'bob');
  try {
    for (const room of rooms) {
      const message = {
        id: randomUUID(),
        from: 'bob',
        text: `news in ${room}`,
        sentAt: Date.now(),
      };
      await bob.client.publishAsync(`chat/${room}/messages`, JSON.stringify(message), { qos: 1 });
    }
  } finally {
    await bob.close();
  }
}

async function expectBadgesInSidebar(page: Page): Promise<void> {
  const sidebar = await page.locator('#sidebar').boundingBox();
  if (!sidebar) throw new Error('the sidebar is not shown');
  const badges = await page.locator('#sidebar .badge').all();
  expect(badges.length).toBeGreaterThan(0);
  for (const badge of badges) {
    const box = await badge.boundingBox();
    expect(box, await badge.innerText()).not.toBeNull();
    if (!box) continue;
    expect(box.x).toBeGreaterThanOrEqual(sidebar.x);
    expect(box.x + box.width).toBeLessThanOrEqual(sidebar.x + sidebar.width);
  }
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
}

/** Neither past the screen's edge nor past its own box (clipped by `.main` otherwise). */
async function expectWithinScreen(element: Locator): Promise<void> {
  const measured = await element.evaluate((node) => {
    const box = node.getBoundingClientRect();
    return {
      right: box.right,
      viewport: window.innerWidth,
      overflows: node.scrollWidth > node.clientWidth,
      cut: getComputedStyle(node).textOverflow === 'ellipsis',
    };
  });
  expect(measured.right).toBeLessThanOrEqual(measured.viewport);
  // Overflowing is fine only where it is cut with an ellipsis.
  if (!measured.cut) expect(measured.overflows).toBe(false);
}

/** Whether the text runs past the element's box, and whether it then ends in an ellipsis. */
function overflowOf(element: Locator): Promise<{ cut: boolean; ellipsis: boolean }> {
  return element.evaluate((node) => ({
    cut: node.scrollWidth > node.clientWidth,
    ellipsis: getComputedStyle(node).textOverflow === 'ellipsis',
  }));
}
