import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchBrowser } from '../../test/e2e/support/browser';
import { signInOn } from '../../test/e2e/support/workspace-page';
import type * as testServerModule from '../../test/server/support/test-server';
import type { TestServer } from '../../test/server/support/test-server';
import { sourcePositions, type CallFrame } from './source-positions';
import { PROFILE_DIR } from './start-target';
import { DEMO_ORG } from './targets';

type TestServerModule = typeof testServerModule;
export type { TestServer };
// Every demo user's password in the test server (test/server/support/test-server.ts).
const DEMO_PASSWORD = 'demo-password-1';

// Shared by the browser benchmarks: the real server serving the built app (in this
// process, or in its own through targets.ts' startSwitchboard), headless Chromium
// (launched as the end-to-end suite does) with the page probe (bench/lib/page-probe.js)
// installed, load injected straight into an in-process broker (bench:scale; bench:page
// publishes as real clients, load-publishers.ts), and the statistics the targets are
// stated in.

export { launchBrowser };
export type { Browser, Page };

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE_PATH = fileURLToPath(new URL('./page-probe.js', import.meta.url));
// As the end-to-end suite: tall enough to show a screenful of rows.
export const VIEWPORT = { width: 1280, height: 1000 };
export const UI_TIMEOUT_MS = 60_000;
export const ME = 'alice';
export const SENDER = 'bob'; // chat load is "from" bob: alice's unread counts grow

/**
 * Which Switchboard is measured; returns its root directory. `head` (the default): the
 * committed tree (`git archive HEAD`) unpacked once per commit under the OS temp dir, its
 * app built there with `vite build`, and its server run from there, so a working tree
 * that others are editing (or rebuilding dist/ from) cannot change what is measured.
 * `worktree`: this working tree, its server and its dist/ (`npm run build` when missing).
 * Either way the real server serves the built app from its own dist/.
 */
export function prepareApp(app: string): string {
  if (app === 'worktree') {
    if (!existsSync(`${REPO_ROOT}dist/index.html`)) {
      console.log('building the app (npm run build)…');
      run('npm', ['run', 'build'], REPO_ROOT);
    }
    return REPO_ROOT;
  }
  const commit = resolveCommit(app);
  const root = path.join(os.tmpdir(), `switchboard-bench-${commit}`);
  if (existsSync(path.join(root, 'dist', 'index.html'))) return `${root}/`;
  console.log(`unpacking commit ${commit} into ${root} and building its app…`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', commit], {
    cwd: REPO_ROOT,
    maxBuffer: 1 << 30,
  });
  if (archive.status !== 0) throw new Error(`git archive ${commit} failed`);
  const untar = spawnSync('tar', ['-x', '-C', root], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`could not unpack ${commit}`);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  run(path.join(REPO_ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], root);
  return `${root}/`;
}

/** `head` or a commit → its 12-digit abbreviation (pass it on so every run measures one tree). */
export function resolveCommit(app: string): string {
  const result = spawnSync('git', ['rev-parse', '--short=12', app === 'head' ? 'HEAD' : app], {
    cwd: REPO_ROOT,
  });
  if (result.status !== 0) throw new Error(`--app must be head, worktree or a commit, not ${app}`);
  return result.stdout.toString().trim();
}

function run(command: string, commandArgs: string[], cwd: string): void {
  const result = spawnSync(command, commandArgs, { cwd, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed`);
}

/**
 * The real server of `root` (HTTP API, the app from root/dist/, broker) in-process on free
 * loopback ports with a temporary data dir, as the server tests start it.
 */
export async function startAppServer(root: string): Promise<TestServer> {
  const url = pathToFileURL(`${root}test/server/support/test-server.ts`).href;
  const { startTestServer } = (await import(url)) as TestServerModule;
  return startTestServer({ host: '127.0.0.1' });
}

export const demoLogin = (user: string) => ({
  username: `${user}@${DEMO_ORG}`,
  password: DEMO_PASSWORD,
});

/**
 * Runs `work` against a fresh server (the app in `root`) and a fresh page on its sign-in
 * page, then closes both whatever happened.
 */
/** A server the page can be opened on; `stop` ends it and deletes its data. */
export interface PageServer {
  httpUrl: string;
  stop(): Promise<void>;
}

/** The in-process server of `startAppServer` as a PageServer. */
export async function appServerInProcess(root: string): Promise<TestServer & PageServer> {
  const server = await startAppServer(root);
  return Object.assign(server, { stop: () => server.cleanup() });
}

/** Starts a server, opens the app on a fresh page, runs `work`, then closes both. */
export async function withAppPage<S extends PageServer, T>(
  browser: Browser,
  start: () => Promise<S>,
  work: (server: S, page: Page) => Promise<T>,
): Promise<T> {
  const server = await start();
  try {
    const page = await openAppPage(browser, server.httpUrl);
    try {
      return await work(server, page);
    } finally {
      await page.context().close();
    }
  } finally {
    await server.stop();
  }
}

/** Prints a profile from `stopProfile` under a heading, if there is one. */
export function printProfile(heading: string, lines: string[] | undefined): void {
  if (!lines) return;
  console.log(`  ${heading}:`);
  for (const line of lines) console.log(`  ${line}`);
}

/** A fresh context with the probe, on the app's sign-in page (not signed in yet). */
export async function openAppPage(browser: Browser, httpUrl: string): Promise<Page> {
  const context: BrowserContext = await browser.newContext({
    baseURL: httpUrl,
    viewport: VIEWPORT,
  });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  await context.addInitScript({ path: PROBE_PATH });
  const page = await context.newPage();
  await page.goto('/');
  return page;
}

/** Signs in as alice and waits for "Connected". */
export async function signInAsAlice(page: Page): Promise<void> {
  await signInOn(page, `${ME}@${DEMO_ORG}`, DEMO_PASSWORD);
}

export const workspaceNav = (page: Page) => page.getByRole('navigation', { name: 'Workspace' });

// --- load injection ---------------------------------------------------------------------

const PACE_TICK_MS = 5;

/**
 * Calls `send(i)` `total` times at `ratePerSecond`, catching up when a tick is late, so
 * the offered rate holds even if the event loop is busy. Returns how long it took.
 */
export async function paced(
  ratePerSecond: number,
  total: number,
  send: (i: number) => void,
): Promise<number> {
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * ratePerSecond) / 1_000));
    while (sent < due) send(sent++);
    if (sent < total) await new Promise((resolve) => setTimeout(resolve, PACE_TICK_MS));
  }
  return performance.now() - start;
}

// --- the probe ---------------------------------------------------------------------------

export type Observation = [figure: string, value: string | null, at: number];

export interface LongFrame {
  start: number;
  duration: number;
  blockingDuration: number;
  scripts: { duration: number; invoker: string; source: string; functionName: string }[];
}

export interface WindowResult {
  durationMs: number;
  frames: number[];
  longTasks: { start: number; duration: number }[];
  longFrames: LongFrame[];
  /** Frame arrival − publish stamp per message, with `probe.trackArrivals` on. */
  arrivals: number[];
}

export interface WsFigures {
  openAt: number | null;
  firstMessageAt: number | null;
  lastMessageAt: number | null;
  frames: number;
  bytes: number;
  /** WebSocket frames the page sent (PUBACKs, its own publishes, pings). */
  sent: number;
}

// String expressions, not functions: tsx would compile a function with helpers the page
// does not define.
export const probe = {
  start: (page: Page) => page.evaluate('window.__switchboardBench.start()'),
  trackArrivals: (page: Page) => page.evaluate('window.__switchboardBench.trackArrivals = true'),
  stop: (page: Page) => page.evaluate('window.__switchboardBench.stop()') as Promise<WindowResult>,
  observations: (page: Page) =>
    page.evaluate('window.__switchboardBench.takeObservations()') as Promise<Observation[]>,
  figures: (page: Page) =>
    page.evaluate('window.__switchboardBench.figures()') as Promise<Record<string, string | null>>,
  ws: (page: Page) => page.evaluate('window.__switchboardBench.ws') as Promise<WsFigures>,
  readAllAgents: (page: Page) =>
    page.evaluate('window.__switchboardBench.readAllAgents()') as Promise<Record<string, string>>,
};

/** Polls `figures` until `done` says so or `timeoutMs` passes; returns the last figures. */
export async function waitForFigures(
  page: Page,
  done: (figures: Record<string, string | null>) => boolean,
  timeoutMs: number,
): Promise<{ figures: Record<string, string | null>; ok: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const figures = await probe.figures(page);
    if (done(figures)) return { figures, ok: true };
    if (Date.now() > deadline) return { figures, ok: false };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// --- statistics ---------------------------------------------------------------------------

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

const FRAME_BUDGET_MS = 1_000 / 60;

export interface FrameStats {
  fps: number;
  /** Frames that took longer than 1.5 budgets (at least one refresh missed). */
  slowFrames: number;
  worstFrameMs: number;
  p99FrameMs: number;
  longTasks: number;
  worstLongTaskMs: number;
  longFrames: number;
}

export function frameStats(window: WindowResult): FrameStats {
  const gaps = window.frames.slice(1).map((t, i) => t - (window.frames[i] ?? t));
  return {
    fps: (window.frames.length * 1_000) / window.durationMs,
    slowFrames: gaps.filter((gap) => gap > 1.5 * FRAME_BUDGET_MS).length,
    worstFrameMs: gaps.length ? Math.max(...gaps) : NaN,
    p99FrameMs: percentile(gaps, 99),
    longTasks: window.longTasks.length,
    worstLongTaskMs: window.longTasks.length
      ? Math.max(...window.longTasks.map((t) => t.duration))
      : 0,
    longFrames: window.longFrames.length,
  };
}

/** Which scripts the long animation frames spent their time in, heaviest first. */
export function longFrameScripts(frames: readonly LongFrame[], top = 8): [string, number][] {
  const byScript = new Map<string, number>();
  for (const frame of frames) {
    for (const script of frame.scripts) {
      const key = `${script.invoker} → ${script.functionName || '(anonymous)'}`;
      byScript.set(key, (byScript.get(key) ?? 0) + script.duration);
    }
  }
  return [...byScript].sort((a, b) => b[1] - a[1]).slice(0, top);
}

// --- CDP: heap and CPU profile -----------------------------------------------------------

export async function cdp(page: Page): Promise<CDPSession> {
  return page.context().newCDPSession(page);
}

const GC_ROUNDS = 3;

/** JS heap in use after full collections, in bytes. */
export async function heapAfterGc(session: CDPSession): Promise<number> {
  for (let i = 0; i < GC_ROUNDS; i++) await session.send('HeapProfiler.collectGarbage');
  const usage = await session.send('Runtime.getHeapUsage');
  return usage.usedSize;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export async function startProfile(session: CDPSession): Promise<void> {
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 500 });
  await session.send('Profiler.start');
}

/**
 * Stops the profiler and sums self time by source position, mapped back to src/ through
 * the build's source maps (dist/assets/*.js.map) so minified frames get their real names.
 */
export async function stopProfile(session: CDPSession, root: string, top = 20): Promise<string[]> {
  const { profile } = (await session.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  // Kept whole too, for DevTools or a closer look than this summary gives.
  mkdirSync(PROFILE_DIR, { recursive: true });
  const saved = path.join(
    PROFILE_DIR,
    `page-${new Date().toISOString().replace(/[:.]/g, '')}.cpuprofile`,
  );
  writeFileSync(saved, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  (profile.samples ?? []).forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)),
  );
  const position = sourcePositions(root);
  let total = 0;
  let idle = 0;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, micros] of self) {
    total += micros;
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const { name, where } = position(frame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byPackage.set(where, (byPackage.get(where) ?? 0) + micros);
  }
  const busy = total - idle;
  const lines = [
    `busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled (${path.relative(process.cwd(), saved)})`,
  ];
  const share = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
  const ranked = (map: Map<string, number>, count: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
  lines.push('by package:');
  for (const [where, micros] of ranked(byPackage, PACKAGES_SHOWN)) {
    lines.push(`${share(micros)}  ${where}`);
  }
  lines.push('by function:');
  for (const [name, micros] of ranked(byFunction, top)) lines.push(`${share(micros)}  ${name}`);
  return lines;
}

const PACKAGES_SHOWN = 10;
