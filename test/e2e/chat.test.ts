import { randomUUID } from 'node:crypto';
import mqttPacket from 'mqtt-packet';
import type { Locator, Response, WebSocket } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2eHarness } from './support/e2e-harness';
import { connectAs, sayAs } from './support/mqtt-observer';
import { openRoom, UI_TIMEOUT_MS, waitConnected } from './support/workspace-page';

describe('chat', () => {
  const e2e = useE2eHarness('chat');

  it('alice and bob exchange messages both ways, and bob sees alice typing', async () => {
    const server = await e2e.startServer();
    const alice = await e2e.signIn(server, 'alice@demo');
    const bob = await e2e.signIn(server, 'bob@demo');
    const aliceRoom = await openRoom(alice.page, 'general');
    const bobRoom = await openRoom(bob.page, 'general');
    e2e.showcase(bob.page);

    // Typed key by key, as a person does: every keystroke refreshes the indicator.
    await aliceRoom.composer.pressSequentially('Hi bob, are you there?', { delay: 20 });
    await bobRoom.typing.getByText('alice is typing…').waitFor();
    await aliceRoom.composer.press('Enter');
    await bobRoom.message('Hi bob, are you there?').waitFor();
    // Sending stops the indicator at once, not after it fades.
    await bobRoom.typing.getByText('alice is typing…').waitFor({ state: 'hidden' });

    await bobRoom.send('Yes, hello alice!');
    await aliceRoom.message('Yes, hello alice!').waitFor();

    for (const room of [aliceRoom, bobRoom]) {
      await expect.poll(() => room.totalMessages(), { timeout: UI_TIMEOUT_MS }).toBe(2);
      expect(await room.message('Hi bob, are you there?').count()).toBe(1);
      expect(await room.message('Yes, hello alice!').count()).toBe(1);
    }
    // One more round of typing, so the final screenshot shows the indicator.
    await aliceRoom.composer.pressSequentially('Great, see you at', { delay: 20 });
    await bobRoom.typing.getByText('alice is typing…').waitFor();
  });

  it('a conversation goes on across several token renewals with no lost or duplicated message', async () => {
    const server = await e2e.startServer({ tokenTtlSeconds: TOKEN_TTL_SECONDS });
    const alice = await e2e.signIn(server, 'alice@demo');
    const bob = await e2e.signIn(server, 'bob@demo');
    const rooms = [await openRoom(alice.page, 'general'), await openRoom(bob.page, 'general')];

    // Each tab renews every 4 s; each sends right as it renews: the old client is being ended and the new one
    // is not connected yet, the moment a message could be lost or sent twice.
    const sent = await Promise.all(
      rooms.map(async (room, index) => {
        const texts: string[] = [];
        for (let round = 1; round <= RENEWAL_ROUNDS; round++) {
          await room.page.waitForResponse(isTokenResponse, { timeout: UI_TIMEOUT_MS });
          const text = `${index === 0 ? 'alice' : 'bob'} says ${round}`;
          await room.send(text);
          texts.push(text);
        }
        return texts;
      }),
    );
    const all = sent.flat();

    for (const room of rooms) {
      for (const text of all) await room.message(text).waitFor();
    }
    // One more renewal each: a message redelivered from the session queue would show now.
    await Promise.all(
      rooms.map((room) => room.page.waitForResponse(isTokenResponse, { timeout: UI_TIMEOUT_MS })),
    );
    for (const room of rooms) {
      await waitConnected(room.page);
      expect(await room.totalMessages()).toBe(all.length);
      for (const text of all) expect(await room.message(text).count(), text).toBe(1);
      await room.page.getByText('pending', { exact: true }).waitFor({ state: 'hidden' });
    }
  }, 120_000); // ≈ 25 s of renewals on a fast machine

  it('a burst of messages all show, and the page acknowledges them a frame at a time, not one frame each', async () => {
    const server = await e2e.startServer();
    const alice = await e2e.signIn(server, 'alice@demo');
    // A second tab of alice's, watched from before its connection opens.
    const frames = { publishesIn: 0, withPubacks: 0, pubacks: 0 };
    const page = await alice.context.newPage();
    page.on('websocket', (socket: WebSocket) => {
      if (!socket.url().includes('/mqtt')) return;
      const received = packetCounter();
      const sent = packetCounter();
      socket.on('framereceived', ({ payload }) => {
        const { publish = 0 } = received(payload);
        if (publish > 0) frames.publishesIn += 1;
      });
      socket.on('framesent', ({ payload }) => {
        const { puback = 0 } = sent(payload);
        frames.pubacks += puback;
        if (puback > 0) frames.withPubacks += 1;
      });
    });
    await page.goto('/');
    await waitConnected(page);
    const room = await openRoom(page, 'general');

    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    // All in one TCP write (corked around the publishes), so the broker reads the burst at
    // once and sends it on in a few frames.
    const socket = (bob.client as unknown as { stream: { cork(): void; uncork(): void } }).stream;
    socket.cork();
    const published = Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        bob.client.publishAsync(
          'chat/general/messages',
          JSON.stringify({
            id: randomUUID(),
            from: 'bob',
            text: `burst ${i + 1}`,
            sentAt: Date.now() + i,
          }),
          { qos: 1 },
        ),
      ),
    );
    socket.uncork();
    await published;

    await expect.poll(() => room.totalMessages(), { timeout: UI_TIMEOUT_MS }).toBe(BURST);
    await expect.poll(() => frames.pubacks, { timeout: UI_TIMEOUT_MS }).toBe(BURST);
    // The broker sends a burst in few frames (else this test would show nothing), and the
    // page answers each with at most one frame of PUBACKs.
    expect(frames.publishesIn).toBeLessThan(BURST / 4);
    expect(frames.withPubacks).toBeLessThanOrEqual(frames.publishesIn);
    await room.message(`burst ${BURST}`).waitFor(); // the newest comes into view
  });

  it('a new message keeps a reader who scrolled up where they are, and follows one at the bottom', async () => {
    const server = await e2e.startServer();
    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    const say = sayAs(bob);
    const start = Date.now() - 60_000;
    for (let i = 1; i <= 40; i++) await say(historyText(i), start + i * 1_000);

    const alice = await e2e.signIn(server, 'alice@demo');
    const room = await openRoom(alice.page, 'general');
    await room.message(historyText(40)).waitFor();
    const scrollTop = () => room.messages.evaluate((element) => element.scrollTop);
    const shows = async (text: string) => (await inView(room.messages)).includes(text);

    // Scrolled up a little: a new message must not move the view.
    await room.messages.hover();
    await alice.page.mouse.wheel(0, -600);
    await expect.poll(() => shows(historyText(40)), { timeout: UI_TIMEOUT_MS }).toBe(false);
    const readingAt = await scrollTop();
    await say('while alice reads back');
    await expect.poll(() => room.totalMessages(), { timeout: UI_TIMEOUT_MS }).toBe(41);
    await alice.page.waitForTimeout(300); // a follow would have landed by now
    expect(await scrollTop()).toBe(readingAt);

    // Back at the bottom: the next messages come into view as they arrive.
    await room.messages.focus();
    await alice.page.keyboard.press('End');
    await expect.poll(() => shows('while alice reads back'), { timeout: UI_TIMEOUT_MS }).toBe(true);
    for (let i = 1; i <= 3; i++) {
      await say(`while alice watches ${i}`);
      await expect
        .poll(() => shows(`while alice watches ${i}`), { timeout: UI_TIMEOUT_MS })
        .toBe(true);
    }
  });

  it('a busy room keeps the reader where they scroll up to, back to its first message, and follows again at the bottom', async () => {
    const server = await e2e.startServer();
    const alice = await e2e.signIn(server, 'alice@demo');
    const room = await openRoom(alice.page, 'general');
    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    const say = sayAs(bob);
    // More than the list lays out while it follows (TAIL_ROWS), all live, in one burst
    // (ordered by sentAt, as the timeline is), corked into one TCP write as in the burst
    // test above (mqtt.js' stream is not part of its typed API).
    const socket = (bob.client as unknown as { stream: { cork(): void; uncork(): void } }).stream;
    const start = Date.now();
    socket.cork();
    const published = Promise.all(
      Array.from({ length: BUSY_ROOM }, (_, i) =>
        // Some taller than the rest (isTall).
        say(isTall(i + 1) ? `${liveText(i + 1)}\nand\nmore` : liveText(i + 1), start + i),
      ),
    );
    socket.uncork();
    await published;
    await expect.poll(() => room.totalMessages(), { timeout: UI_TIMEOUT_MS }).toBe(BUSY_ROOM);
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .toContain(liveText(BUSY_ROOM));

    // Scrolling up lays out the rows before the tail: the reader sees the rows above the
    // newest, not a jump, and stays there.
    await room.messages.hover();
    await expect.poll(() => misplacedRows(room.messages), { timeout: UI_TIMEOUT_MS }).toEqual([]);
    await alice.page.mouse.wheel(0, -600);
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .not.toContain(liveText(BUSY_ROOM));
    const reading = await inView(room.messages);
    expect(reading.length).toBeGreaterThan(0);
    for (const text of reading) expect(liveNumber(text)).toBeGreaterThan(BUSY_ROOM - 30);
    await alice.page.waitForTimeout(300); // a late correction would have landed by now
    expect(await inView(room.messages)).toEqual(reading);

    await expect
      .poll(
        async () => {
          await alice.page.mouse.wheel(0, -5_000);
          return inView(room.messages);
        },
        { timeout: UI_TIMEOUT_MS, interval: 250 },
      )
      .toContain(liveText(1));
    await alice.page.getByText('Beginning of #general', { exact: true }).waitFor();
    expect(await room.totalMessages()).toBe(BUSY_ROOM);
    await expect.poll(() => misplacedRows(room.messages), { timeout: UI_TIMEOUT_MS }).toEqual([]);

    // Back at the bottom, the room follows new messages again.
    await room.messages.focus();
    await alice.page.keyboard.press('End');
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .toContain(liveText(BUSY_ROOM));
    for (let i = 1; i <= 3; i++) {
      await say(`back at the bottom ${i}`);
      await expect
        .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
        .toContain(`back at the bottom ${i}`);
    }
    expect(await room.totalMessages()).toBe(BUSY_ROOM + 3);
    await expect.poll(() => misplacedRows(room.messages), { timeout: UI_TIMEOUT_MS }).toEqual([]);

    // Home from there goes all the way up, past the rows the following list left out.
    await alice.page.keyboard.press('Home');
    await expect
      .poll(() => inView(room.messages), { timeout: UI_TIMEOUT_MS })
      .toContain(liveText(1));
    await expect.poll(() => misplacedRows(room.messages), { timeout: UI_TIMEOUT_MS }).toEqual([]);
  });

  it('a room with more than one page of history scrolls back to its first message', async () => {
    const server = await e2e.startServer();
    const bob = await connectAs(server, 'bob');
    e2e.onCleanup(() => bob.close());
    const start = Date.now() - HISTORY_MESSAGES * 1_000;
    for (let i = 1; i <= HISTORY_MESSAGES; i++) {
      const message = {
        id: randomUUID(),
        from: 'bob',
        text: historyText(i),
        sentAt: start + i * 1_000,
      };
      await bob.client.publishAsync('chat/general/messages', JSON.stringify(message), { qos: 1 });
    }

    const alice = await e2e.signIn(server, 'alice@demo');
    const room = await openRoom(alice.page, 'general');
    await room.message(historyText(HISTORY_MESSAGES)).waitFor();
    // The newest page only: the rest is fetched as alice scrolls up.
    expect(await room.totalMessages()).toBeLessThan(HISTORY_MESSAGES);
    expect(await room.message(historyText(1)).count()).toBe(0);

    await room.messages.hover();
    await expect
      .poll(
        async () => {
          await alice.page.mouse.wheel(0, -5_000);
          return room.message(historyText(1)).isVisible();
        },
        { timeout: UI_TIMEOUT_MS, interval: 250 },
      )
      .toBe(true);
    await alice.page.getByText('Beginning of #general', { exact: true }).waitFor();
    expect(await room.totalMessages()).toBe(HISTORY_MESSAGES);
    expect(await room.message(historyText(1)).count()).toBe(1);
    expect(await room.message(historyText(2)).count()).toBe(1);
  });
});

const TOKEN_TTL_SECONDS = 5; // the app renews at 80 %: every 4 s
const RENEWAL_ROUNDS = 5; // ≈ 20 s of conversation
const HISTORY_MESSAGES = 120; // the app fetches 50 per page

const BURST = 200;
const BUSY_ROOM = 600; // more than a following list lays out (TAIL_ROWS, 500)

/** Counts the MQTT packets in a connection's frames, by kind (packets may span frames). */
function packetCounter(): (payload: string | Buffer) => Record<string, number> {
  const parser = mqttPacket.parser({ protocolVersion: 4 }); // as the server's tokens say
  let counts: Record<string, number> = {};
  parser.on('packet', (packet) => (counts[packet.cmd] = (counts[packet.cmd] ?? 0) + 1));
  return (payload) => {
    counts = {};
    parser.parse(Buffer.isBuffer(payload) ? payload : Buffer.from(payload));
    return counts;
  };
}

const historyText = (i: number) => `history message ${String(i).padStart(3, '0')}`;
const liveText = (i: number) => `live message ${String(i).padStart(3, '0')}`;
// Irregular, then all tall: a row's size must follow its own message, whatever the
// estimate and whatever the row showed before.
const isTall = (i: number) => i > 400 || (i * 7_919) % 11 < 4;
const liveNumber = (text: string) => Number(text.replace('live message ', ''));

/**
 * The texts (first lines) of the messages on screen, not merely rendered (the list renders
 * a few more).
 */
function inView(scroller: Locator): Promise<string[]> {
  return scroller.evaluate((element) => {
    const view = element.getBoundingClientRect();
    return [...element.querySelectorAll('article')].flatMap((article) => {
      const box = article.getBoundingClientRect();
      const [firstLine = ''] =
        article.querySelector('.message__text')?.textContent?.split('\n') ?? [];
      return box.bottom > view.top && box.top < view.bottom ? [firstLine] : [];
    });
  });
}

/**
 * Rendered rows not where their size puts them: each row should start where the one
 * before it ends. As "first line / first line: gap px"; none once the list is laid out.
 */
function misplacedRows(scroller: Locator): Promise<string[]> {
  return scroller.evaluate((element) => {
    const rows = [...element.querySelectorAll('li')]
      .map((row) => ({
        position: Number(row.getAttribute('aria-posinset')),
        box: row.getBoundingClientRect(),
        text: row.querySelector('.message__text')?.textContent?.split('\n')[0] ?? '',
      }))
      .sort((a, b) => a.position - b.position);
    return rows.flatMap((row, i) => {
      const next = rows[i + 1];
      return next?.position === row.position + 1 && Math.abs(next.box.top - row.box.bottom) > 1
        ? [`${row.text} / ${next.text}: ${Math.round(next.box.top - row.box.bottom)} px`]
        : [];
    });
  });
}

function isTokenResponse(response: Response): boolean {
  return response.url().endsWith('/api/token') && response.ok();
}
