import type { Route } from 'playwright-core';
import { benchArgs, list } from './lib/args';
import {
  cdp,
  demoLogin,
  frameStats,
  heapAfterGc,
  launchBrowser,
  longFrameScripts,
  openAppPage,
  prepareApp,
  paced,
  percentile,
  probe,
  SENDER,
  signInAsAlice,
  printProfile,
  appServerInProcess,
  withAppPage,
  startProfile,
  stopProfile,
  waitForFigures,
  workspaceNav,
  type Browser,
  type FrameStats,
  type Page,
} from './lib/browser';
import { DEMO_ORG, startSwitchboard, type SwitchboardTarget } from './lib/targets';
import { saveResult } from './lib/results';
import { formatNumber, printTable } from './lib/table';
import { openRoom } from '../test/e2e/support/workspace-page';

// Target 5 of issue 6, in the real app in headless Chromium signed in as alice:
// - room: a room holding 100,000 messages: < 60 MB JS heap, scrolling at ≥ 55 fps;
// - board: 10,000 agents: first paint < 300 ms after the connection opens, then ≥ 55 fps
//   under 2,000 state updates/s.

const args = benchArgs({
  parts: 'room,board',
  messages: '100000', // in the room's history
  loadSeconds: '900', // bound on reading back through all of it
  scrollSeconds: '5',
  scrollPxPerSecond: '3000', // a brisk wheel scroll
  agents: '10000',
  updatesPerSecond: '2000',
  updateSeconds: '10',
  app: 'head', // head: the committed tree, unpacked and built privately; worktree: this one
});
const ROOM = 'general';
const MIB = 1_024 ** 2;
const BOARD_TIMEOUT_MS = 120_000;
const SETTLE_MS = 1_000;

const toMiB = (bytes: number) => bytes / MIB;

// --- a room holding 100,000 messages ----------------------------------------------------

interface RoomRow {
  messages: number;
  insertSeconds: number;
  heapAfterOpenMiB: number;
  loaded: number;
  loadSeconds: number;
  heapAllLoadedMiB: number;
  loading: FrameStats;
  scrolling: FrameStats;
  scrolledPx: number;
  heapAfterScrollMiB: number;
  loadingLongFrameScripts: [string, number][];
  scrollingLongFrameScripts: [string, number][];
  /** With --profile: the page while reading back through the history, then scrolling. */
  loadingProfile?: string[];
  profile?: string[];
}

function historyText(n: number): string {
  // Realistic, varied line lengths (one to three lines at the app's width).
  const words = ['deploy', 'queue', 'metrics', 'looks', 'fine', 'retry', 'latency', 'ok', 'ship'];
  const length = 6 + ((n * 7919) % 30);
  return Array.from({ length }, (_, i) => words[(n + i * 3) % words.length]).join(' ');
}

async function runRoom(browser: Browser): Promise<RoomRow> {
  const messages = Number(args.messages);
  return withAppPage(
    browser,
    () => appServerInProcess(appRoot),
    async (server, page) => {
      const insertStart = performance.now();
      const first = Date.now() - messages * 1_000;
      for (let n = 1; n <= messages; n++) {
        server.storage.history.record(DEMO_ORG, ROOM, {
          id: `h-${n}`,
          from: n % 3 === 0 ? 'alice' : SENDER,
          text: historyText(n),
          sentAt: first + n * 1_000,
        });
      }
      const insertSeconds = (performance.now() - insertStart) / 1_000;
      console.log(
        `room: ${formatNumber(messages)} messages in history (${insertSeconds.toFixed(1)} s)`,
      );

      await signInAsAlice(page);
      await openRoom(page, ROOM);
      await waitForFigures(page, (f) => Number(f[`timeline:${ROOM}`]) > 0, 30_000);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const session = await cdp(page);
      const heapAfterOpen = await heapAfterGc(session);

      if (args.profile) await startProfile(session);
      await probe.start(page);
      const load = (await page.evaluate(
        `window.__switchboardBench.loadHistory(${messages}, ${Number(args.loadSeconds) * 1_000})`,
      )) as { loaded: number; ms: number };
      const loadingWindow = await probe.stop(page);
      const loadingProfile = args.profile ? await stopProfile(session, appRoot) : undefined;
      console.log(
        `room: ${formatNumber(load.loaded)} messages loaded by scrolling up in ${formatNumber(load.ms / 1_000, 1)} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const heapAllLoaded = await heapAfterGc(session);

      if (args.profile) await startProfile(session);
      await probe.start(page);
      const scrolled = (await page.evaluate(
        `window.__switchboardBench.scrollTimeline(${Number(args.scrollPxPerSecond)}, ${Number(args.scrollSeconds) * 1_000}, 0.5)`,
      )) as { px: number };
      const scrollWindow = await probe.stop(page);
      const profile = args.profile ? await stopProfile(session, appRoot) : undefined;
      const heapAfterScroll = await heapAfterGc(session);

      return {
        messages,
        insertSeconds,
        heapAfterOpenMiB: toMiB(heapAfterOpen),
        loaded: load.loaded,
        loadSeconds: load.ms / 1_000,
        heapAllLoadedMiB: toMiB(heapAllLoaded),
        loading: frameStats(loadingWindow),
        scrolling: frameStats(scrollWindow),
        scrolledPx: scrolled.px,
        heapAfterScrollMiB: toMiB(heapAfterScroll),
        loadingLongFrameScripts: longFrameScripts(loadingWindow.longFrames),
        scrollingLongFrameScripts: longFrameScripts(scrollWindow.longFrames),
        ...(loadingProfile ? { loadingProfile } : {}),
        ...(profile ? { profile } : {}),
      };
    },
  );
}

// --- an agents board of 10,000 agents ---------------------------------------------------

/** From the WebSocket opening to the board showing every agent. */
interface FirstPaint {
  /** WebSocket open → the board painted with every agent counted. */
  openToAllPaintedMs: number;
  /** WebSocket open → the first agent row painted. */
  openToFirstRowMs: number;
  /** WebSocket open → the last frame of the retained flood arrived. */
  openToLastFrameMs: number;
  /** WebSocket open → the server handed the flood's last frame to its socket. */
  openToLastSentMs: number;
  /** With --profile: the page from the connection to every agent shown. */
  profile?: string[];
}

interface BoardRow {
  agents: number;
  /** A server that has served a board before, as one in use has: the target's measure. */
  inUse: FirstPaint;
  /** The server's first connection since its process started (JIT warm-up included). */
  firstConnection: FirstPaint;
  heapMiB: number;
  updatesPerSecond: number;
  updates: number;
  updating: FrameStats;
  latencyP50: number;
  latencyP99: number;
  latencyCount: number;
  updatingLongFrameScripts: [string, number][];
  /** With --profile: the page while updating. */
  profile?: string[];
}

const agentName = (i: number) => `a-${String(i + 1).padStart(5, '0')}`;
const state = (seq: number, at: number) =>
  JSON.stringify({ status: 'working', task: `s${seq}`, progress: seq % 101, updatedAt: at });

/**
 * Signs alice in on a fresh page with the Agents view open before the broker connection
 * starts, and times the board from the connection opening to every agent painted.
 */
async function timeFirstPaint(
  server: SwitchboardTarget,
  page: Page,
  agents: number,
  profiled: boolean,
): Promise<FirstPaint> {
  // The board must be on screen before the connection opens: hold the broker-token
  // request (the connection's first step) until alice has opened the Agents view.
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/token', async (route: Route) => {
    await gate;
    await route.continue();
  });
  const { username, password } = demoLogin('alice');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await workspaceNav(page).getByRole('link', { name: 'Agents', exact: true }).click();
  await page.getByRole('heading', { name: 'Agents', level: 2 }).waitFor();
  await probe.observations(page);
  const session = await cdp(page);
  if (profiled) await startProfile(session);
  await server.watchLastSend();
  release();

  const all = `${agents} agents`;
  const shown = await waitForFigures(page, (f) => f.board === all, BOARD_TIMEOUT_MS);
  if (!shown.ok) throw new Error(`the board showed "${shown.figures.board}", not "${all}"`);
  const lastSentAt = (await server.lastSend()) ?? NaN;
  const ws = await probe.ws(page);
  const observations = await probe.observations(page);
  const openAt = ws.openAt ?? NaN;
  const allAt = observations.find(([figure, value]) => figure === 'board' && value === all)?.[2];
  const firstRowAt = observations.find(([figure]) => figure.startsWith('agent:'))?.[2];
  const profile = profiled ? await stopProfile(session, appRoot) : undefined;
  await page.unroute('**/api/token');
  return {
    openToAllPaintedMs: (allAt ?? NaN) - openAt,
    openToFirstRowMs: (firstRowAt ?? NaN) - openAt,
    openToLastFrameMs: (ws.lastMessageAt ?? NaN) - openAt,
    openToLastSentMs: lastSentAt - openAt,
    ...(profile ? { profile } : {}),
  };
}

async function runBoard(browser: Browser): Promise<BoardRow> {
  const agents = Number(args.agents);
  // The server runs in its own process, as for target 4: in the benchmark's, it shared an
  // event loop with Playwright while it sent the retained states.
  return withAppPage(
    browser,
    () => startSwitchboard({ root: appRoot }),
    async (server, firstPage) => {
      await server.seedRetained(
        Array.from({ length: agents }, (_, i) => `agents/${agentName(i)}/state`),
        state(0, Date.now()),
      );
      // Twice, each on a fresh page: first on the server's first connection since it
      // started, then on a server that has served a board before, as one in use has. The
      // page is new (and as cold) both times; only the server's code is warm the second.
      const firstConnection = await timeFirstPaint(server, firstPage, agents, false);
      await firstPage.close();
      const page = await openAppPage(browser, server.httpUrl);
      try {
        const inUse = await timeFirstPaint(server, page, agents, Boolean(args.profile));
        return { agents, firstConnection, inUse, ...(await runUpdates(server, page)) };
      } finally {
        await page.context().close();
      }
    },
  );
}

/** 2,000 state updates/s to the open board: frames, and publish → row painted. */
async function runUpdates(server: SwitchboardTarget, page: Page) {
  const session = await cdp(page);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const heap = await heapAfterGc(session);
  await probe.observations(page);

  const rate = Number(args.updatesPerSecond);
  const updates = Math.round(rate * Number(args.updateSeconds));
  const publishedAt = new Map<number, number>();
  let random = 42; // a fixed sequence of agents, the same every run
  if (args.profile) await startProfile(session);
  await probe.start(page);
  // A tick's updates go to the server process in one call.
  let batch: [string, string][] = [];
  const sends: Promise<void>[] = [];
  const sendBatch = () => {
    if (batch.length > 0) sends.push(server.publishRetained(batch));
    batch = [];
  };
  const agents = Number(args.agents);
  await paced(rate, updates, (i) => {
    random = (random * 1_103_515_245 + 12_345) % 2 ** 31;
    const at = Date.now();
    publishedAt.set(i + 1, at);
    if (batch.length === 0) queueMicrotask(sendBatch);
    batch.push([`agents/${agentName(random % agents)}/state`, state(i + 1, at)]);
  });
  sendBatch();
  await Promise.all(sends);
  const window = await probe.stop(page);
  const profile = args.profile ? await stopProfile(session, appRoot) : undefined;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const latencies: number[] = [];
  for (const [figure, value, at] of await probe.observations(page)) {
    const seq = figure.startsWith('agent:') && value?.startsWith('s') ? Number(value.slice(1)) : 0;
    const sent = publishedAt.get(seq);
    if (sent !== undefined) latencies.push(at - sent);
  }
  return {
    heapMiB: toMiB(heap),
    updatesPerSecond: rate,
    updates,
    updating: frameStats(window),
    latencyP50: percentile(latencies, 50),
    latencyP99: percentile(latencies, 99),
    latencyCount: latencies.length,
    updatingLongFrameScripts: longFrameScripts(window.longFrames),
    ...(profile ? { profile } : {}),
  };
}

// --- run ------------------------------------------------------------------------------------

const appRoot = prepareApp(args.app);
const parts = list(args.parts);
const browser = await launchBrowser();
let room: RoomRow | null = null;
let board: BoardRow | null = null;
try {
  if (parts.includes('room')) room = await runRoom(browser);
  if (parts.includes('board')) board = await runBoard(browser);
} finally {
  await browser.close();
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const scripts = (label: string, entries: [string, number][]) => {
  for (const [script, ms] of entries)
    console.log(`  ${label}: ${formatNumber(ms)} ms in ${script}`);
};
if (room) {
  scripts('long frames while loading', room.loadingLongFrameScripts);
  scripts('long frames while scrolling', room.scrollingLongFrameScripts);
  printProfile('profile while reading back', room.loadingProfile);
  printProfile('profile while scrolling', room.profile);
  const frames = (s: FrameStats) =>
    `${formatNumber(s.fps, 1)} fps, ${s.slowFrames} slow, ${s.longTasks} long tasks (worst ${formatNumber(s.worstLongTaskMs)} ms)`;
  printTable(
    `A room holding ${formatNumber(room.messages)} messages`,
    ['measure', 'value', 'target', 'met?'],
    [
      [
        'heap after opening the room (50 loaded)',
        `${formatNumber(room.heapAfterOpenMiB, 1)} MiB`,
        '< 60 MB',
        null,
      ],
      [
        `heap with ${formatNumber(room.loaded)} loaded`,
        `${formatNumber(room.heapAllLoadedMiB, 1)} MiB`,
        '< 60 MB',
        met(room.loaded === room.messages && room.heapAllLoadedMiB * MIB < 60e6),
      ],
      [
        'reading back through history (scroll to top, page by page)',
        `${formatNumber(room.loadSeconds, 1)} s, ${frames(room.loading)}`,
        '≥ 55 fps',
        met(room.loading.fps >= 55),
      ],
      [
        `scrolling ${formatNumber(Number(args.scrollPxPerSecond))} px/s through ${formatNumber(room.loaded)}`,
        frames(room.scrolling),
        '≥ 55 fps',
        met(room.scrolling.fps >= 55),
      ],
      ['heap after scrolling', `${formatNumber(room.heapAfterScrollMiB, 1)} MiB`, '< 60 MB', null],
    ],
  );
}
if (board) {
  scripts('long frames while updating', board.updatingLongFrameScripts);
  printProfile('profile from the connection to every agent shown', board.inUse.profile);
  printProfile('profile while updating', board.profile);
  printTable(
    `An agents board of ${formatNumber(board.agents)} agents`,
    ['measure', 'value', 'target', 'met?'],
    [
      [
        'connection open → board painted with every agent',
        `${formatNumber(board.inUse.openToAllPaintedMs)} ms`,
        '< 300 ms',
        met(board.inUse.openToAllPaintedMs < 300),
      ],
      [
        'connection open → first row painted',
        `${formatNumber(board.inUse.openToFirstRowMs)} ms`,
        null,
        null,
      ],
      [
        'connection open → last retained frame received',
        `${formatNumber(board.inUse.openToLastFrameMs)} ms`,
        null,
        null,
      ],
      [
        'connection open → last retained frame sent by the server',
        `${formatNumber(board.inUse.openToLastSentMs)} ms`,
        null,
        null,
      ],
      [
        "the same on the server's first connection: painted, last sent",
        `${formatNumber(board.firstConnection.openToAllPaintedMs)} ms, ${formatNumber(board.firstConnection.openToLastSentMs)} ms`,
        null,
        null,
      ],
      ['JS heap with the board', `${formatNumber(board.heapMiB, 1)} MiB`, null, null],
      [
        `${formatNumber(board.updatesPerSecond)} updates/s for ${args.updateSeconds} s`,
        `${formatNumber(board.updating.fps, 1)} fps, ${board.updating.slowFrames} slow, ${board.updating.longTasks} long tasks (worst ${formatNumber(board.updating.worstLongTaskMs)} ms)`,
        '≥ 55 fps',
        met(board.updating.fps >= 55),
      ],
      [
        'publish → row painted (visible rows)',
        `p50 ${formatNumber(board.latencyP50)} ms, p99 ${formatNumber(board.latencyP99)} ms (${board.latencyCount})`,
        null,
        null,
      ],
    ],
  );
}
saveResult('browser-scale', [{ room, board }], args);
