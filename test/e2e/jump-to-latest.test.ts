import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs, sayAs } from './support/mqtt-observer';
import { openRoom, UI_TIMEOUT_MS } from './support/workspace-page';

describe('jump to latest', () => {
  const e2e = useE2eHarness('jump-to-latest');

  it('a reader who scrolled up sees how many messages arrived below, jumps to them and follows again; sending does too', async () => {
    const server = await e2e.startServer();
    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    const say = sayAs(bob);
    const start = Date.now() - 60_000;
    for (let i = 1; i <= 40; i++) await say(`history ${i}`, start + i * 1_000);

    const alice = await e2e.signIn(server, 'alice@demo');
    const room = await openRoom(alice.page, 'general');
    e2e.showcase(alice.page);
    await room.message('history 40').waitFor();
    const jump = alice.page.getByRole('button', { name: /jump to latest/i });
    expect(await jump.count()).toBe(0); // at the bottom: nothing to jump to

    await room.messages.hover();
    await alice.page.mouse.wheel(0, -600);
    await jump.waitFor();
    expect(await jump.getAttribute('aria-label')).toBeNull(); // "Jump to latest" as it reads
    for (let i = 1; i <= 3; i++) await say(`while alice reads back ${i}`);
    await expect
      .poll(() => jump.getAttribute('aria-label'), { timeout: UI_TIMEOUT_MS })
      .toBe('3 new messages, jump to latest');
    expect(await inView(room.messages)).not.toContain('while alice reads back 3');
    await e2e.snapshot(alice.page, 'new messages below');

    // By keyboard: from the list, Tab reaches it before the composer.
    await room.messages.focus();
    await alice.page.keyboard.press('Tab');
    await expect.poll(() => jump.evaluate((b) => b === document.activeElement)).toBe(true);
    await alice.page.keyboard.press('Enter');
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .toContain('while alice reads back 3');
    await jump.waitFor({ state: 'hidden' });
    await expect
      .poll(() => room.messages.evaluate((list) => list === document.activeElement))
      .toBe(true);
    // Following again: each new message comes into view.
    for (let i = 1; i <= 3; i++) {
      await say(`after the jump ${i}`);
      await expect
        .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
        .toContain(`after the jump ${i}`);
    }

    // Sending brings the reader back too.
    await alice.page.mouse.wheel(0, -1_200);
    await jump.waitFor();
    await room.send('my own, from up there');
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .toContain('my own, from up there');
    await jump.waitFor({ state: 'hidden' });
    await say('and the answer');
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .toContain('and the answer');
  });

  it('in a busy room, the jump lands at the newest and keeps up with what streams in meanwhile', async () => {
    const server = await e2e.startServer();
    const alice = await e2e.signIn(server, 'alice@demo');
    const room = await openRoom(alice.page, 'general');
    e2e.showcase(alice.page);
    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    const say = sayAs(bob);
    const start = Date.now();
    await Promise.all(Array.from({ length: BUSY }, (_, i) => say(busyText(i + 1), start + i)));
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .toContain(busyText(BUSY));

    await room.messages.hover();
    await alice.page.mouse.wheel(0, -3_000);
    const jump = alice.page.getByRole('button', { name: /jump to latest/i });
    await jump.waitFor();

    // A message every 10 ms while the jump is on its way, and after it.
    let streaming = true;
    let sent = 0;
    const stream = (async () => {
      while (streaming) {
        sent += 1;
        await say(`streamed ${sent}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await expect
      .poll(() => jump.getAttribute('aria-label'), { timeout: UI_TIMEOUT_MS })
      .toMatch(/^\d+\+? new messages?, jump to latest$/);
    await jump.click();
    await alice.page.waitForTimeout(1_000);
    streaming = false;
    await stream;
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .toContain(`streamed ${sent}`);
    expect(await jump.count()).toBe(0);
  });
});

const BUSY = 600; // more than a following list lays out (TAIL_ROWS, 500)
const busyText = (i: number) => `busy ${String(i).padStart(3, '0')}`;

/** The texts of the messages on screen, not merely rendered (the list renders a few more). */
function inView(scroller: Locator): Promise<string[]> {
  return scroller.evaluate((element) => {
    const view = element.getBoundingClientRect();
    return [...element.querySelectorAll('article')].flatMap((article) => {
      const box = article.getBoundingClientRect();
      const text = article.querySelector('.message__text')?.textContent ?? '';
      return box.bottom > view.top && box.top < view.bottom ? [text] : [];
    });
  });
}
