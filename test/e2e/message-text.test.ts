import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { displayText } from '../../src/client/lib/display-text';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs, sayAs } from './support/mqtt-observer';
import { decodePngs, pixelColumn, pixelsApart, runsUnlike } from './support/pixels';
import { openRoom, UI_TIMEOUT_MS } from './support/workspace-page';

// A message is drawn as displayText shows it (no bidi override, a dot for what draws
// nothing, a few marks on a letter), and copied as its sender wrote it
// (components/shown-text.tsx); a message that mentions the reader has a bar of its own.

const SPOOF = 'open \u202Egnp.exe\u202C now';
const TOWER = `e${'\u0301'.repeat(12)}`;
const HIDDEN = `ping @b\u200Bob, then ${TOWER} done`;
// Isolates opened and never closed: kept in the page, one would close the <bdi>'s own
// isolate in its place, and the rest of the text would be drawn right to left, the "." first.
const UNCLOSED = '\u2067\u2067pay bob 100, not 5.';

describe('a message’s text', () => {
  const e2e = useE2eHarness('message-text');

  /** Alice in #general, where bob (over MQTT) has said `texts`, in order. */
  async function roomWith(texts: string[]) {
    const server = await e2e.startServer();
    const alice = await e2e.signIn(server, 'alice@demo', undefined, (context) =>
      context.grantPermissions(['clipboard-read', 'clipboard-write']),
    );
    const room = await openRoom(alice.page, 'general');
    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    const say = sayAs(bob);
    const start = Date.now();
    for (const [i, text] of texts.entries()) await say(text, start + i);
    const shown = room.messages.locator('.message__text');
    await expect.poll(() => shown.count(), { timeout: UI_TIMEOUT_MS }).toBe(texts.length);
    return { page: alice.page, room, shown };
  }

  it('is copied as written: from a selection across messages, and from part of one', async () => {
    const { page, shown } = await roomWith([SPOOF, HIDDEN]);
    // From the start of the first message's text to the end of the second's.
    const both = await copied(page, shown, [0, 0], [1, HIDDEN.length]);
    expect(both.startsWith(SPOOF)).toBe(true);
    expect(both.endsWith(HIDDEN)).toBe(true);
    expect(both).not.toContain('\u00B7');
    // Across the dot of the zero-width space, and into the marks not drawn.
    const mention = HIDDEN.indexOf('@');
    expect(await copied(page, shown, [1, mention], [1, mention + 5])).toBe('@b\u200Bob');
    const tower = HIDDEN.indexOf(TOWER);
    expect(await copied(page, shown, [1, tower], [1, tower + TOWER.length])).toBe(TOWER);
  });

  it('is drawn as displayText shows it', async () => {
    const { page, shown } = await roomWith([
      SPOOF,
      HIDDEN,
      displayText(SPOOF),
      displayText(HIDDEN),
      'open exe.png now', // the override obeyed: a drawing that differs
      UNCLOSED,
      displayText(UNCLOSED),
    ]);
    const [spoof, hidden, spoofShown, hiddenShown, obeyed, unclosed, unclosedShown] =
      await decodePngs(
        page,
        await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => shown.nth(i).screenshot())),
      );
    expect(pixelsApart(spoof!, spoofShown!)).toBe(0);
    expect(pixelsApart(hidden!, hiddenShown!)).toBe(0);
    expect(pixelsApart(unclosed!, unclosedShown!)).toBe(0);
    expect(pixelsApart(spoof!, obeyed!)).toBeGreaterThan(100); // what the comparison tells apart
  });

  it('that mentions the reader has a bar of its own, apart from the next one’s', async () => {
    const { page, room } = await roomWith(['@alice first', '@alice second']);
    e2e.showcase(page);
    const articles = room.messages.getByRole('article');
    const first = (await articles.nth(0).boundingBox())!;
    const second = (await articles.nth(1).boundingBox())!;
    const top = Math.ceil(first.y);
    const height = Math.floor(second.y + second.height) - top;
    // The surface, in the padding left of the text; then the column through the bars.
    const [surface] = await pixelColumn(page, first.x + 8, top, 1);
    const bars = runsUnlike(await pixelColumn(page, first.x + 1, top, height), surface!);
    expect(bars).toHaveLength(2);
    const gap = bars[1]![0] - bars[0]![1] - 1;
    expect(gap).toBeGreaterThanOrEqual(6); // seen as two bars, not one with a seam
  });
});

/**
 * What the clipboard holds after Ctrl+C on the selection from `[message, offset]` to
 * `[message, offset]`, offsets counted in what the message's sender wrote.
 */
async function copied(
  page: Page,
  shown: Locator,
  from: [number, number],
  to: [number, number],
): Promise<string> {
  await shown.first().evaluate(
    (_first, { from, to }) => {
      const texts = [...document.querySelectorAll('.message__text')];
      /** The text node and offset in it at `offset` characters of what was written. */
      const at = ([message, offset]: [number, number]): [Node, number] => {
        const walker = document.createTreeWalker(texts[message]!, NodeFilter.SHOW_TEXT);
        let left = offset;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = node.textContent?.length ?? 0;
          if (left <= length) return [node, left];
          left -= length;
        }
        throw new Error(`no offset ${offset} in message ${message}`);
      };
      const range = document.createRange();
      range.setStart(...at(from));
      range.setEnd(...at(to));
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
    },
    { from, to },
  );
  await page.keyboard.press('Control+C');
  return page.evaluate(() => navigator.clipboard.readText());
}
