import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchArgs, list } from './lib/args';
import {
  cdp,
  frameStats,
  launchBrowser,
  longFrameScripts,
  prepareApp,
  resolveCommit,
  paced,
  percentile,
  probe,
  SENDER,
  signInAsAlice,
  withAppPage,
  startProfile,
  stopProfile,
  waitForFigures,
  type Browser,
  type FrameStats,
  type Observation,
  type Page,
} from './lib/browser';
import { startAllocations, stopAllocations } from './lib/page-allocations';
import { startTrace, stopTrace } from './lib/page-trace';
import { saveResult } from './lib/results';
import { megabytes, type SamplingSummary } from './lib/sampling-summary';
import { connectLoadPublishers, type LoadPublishers } from './lib/load-publishers';
import type { LoadWatch } from './lib/load-watch';
import { mosquittoBroker, switchboardBroker, type PageBroker } from './lib/page-broker';
import { cpuMicros } from './lib/proc-stats';
import { PROFILE_DIR } from './lib/start-target';
import { startSwitchboard } from './lib/targets';
import { formatNumber, printTable } from './lib/table';
import { openRoom, openSection } from '../test/e2e/support/workspace-page';

// Target 4 of issue 6: one page (the real app in headless Chromium, signed in as alice)
// receiving 10,000 msg/s spread over chat rooms and agent states. Delivered: every message
// reflected in what the page shows; publish → rendered p99 < 50 ms; ≥ 55 fps; no long task
// over 50 ms. Run once with a room open (#general: its timeline grows, the other rooms'
// unread badges count) and once with the agents board open (every room counts unread).
// As in use, the server runs in its own process and the load comes from outside it: a
// member's client (the chat) and one client per agent (their states), over MQTT/TCP.

const args = benchArgs({
  rate: '10000', // messages/s offered to the page, all kinds together
  seconds: '10',
  // The same load first, unmeasured, so the numbers are of a server and page in use, not of
  // their first second (JIT warm-up on both sides); reported apart.
  warmup: '2',
  chatShare: '0.5', // the rest are agent states
  rooms: 'general,random,ops',
  agents: '100',
  senders: '1', // MQTT clients the chat load is spread over (all signed in as the sender)
  views: 'room,agents',
  serverProfile: 'false', // a V8 CPU profile of the server process, in bench/results/profiles
  trace: 'false', // a Chromium trace of the page during the load, summed up (page-trace.ts)
  allocations: 'false', // what the page allocates that reaches the old generation (page-allocations.ts)
  experiments: '', // what-if changes to the server (bench/servers/experiments.ts)
  serverNodeFlags: '', // more Node flags for the server process, space-separated
  // The load's CPU priority (nice, 0–19) while it runs: in use the publishers run on other
  // machines; here they take a quarter of a core from the server and the page. 0: as is.
  loadNice: '0',
  arrivals: 'false', // also time publish → frame arrival at the page (costs the page a little)
  serverAllocations: 'false', // what the server allocates during the load (server-allocations.ts)
  app: 'head', // head (or a commit): that tree, unpacked and built privately; worktree: this one
  // switchboard: the server's own broker; mosquitto: the page's MQTT and the load go to
  // Mosquitto instead (page-broker.ts), a reference for what the page and machine cost.
  broker: 'switchboard',
});
if (!['switchboard', 'mosquitto'].includes(args.broker))
  throw new Error(`--broker is switchboard or mosquitto, not ${args.broker}`);
const DRAIN_TIMEOUT_MS = 60_000;
const SETTLE_MS = 1_000;

interface Latencies {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface Row extends FrameStats {
  view: string;
  broker: PageBroker['name'];
  offeredPerSecond: number;
  achievedPerSecond: number;
  seconds: number;
  chatPublished: number;
  chatShown: number;
  agentStatesPublished: number;
  agentsFinalShown: number;
  agents: number;
  chatLatency: Latencies;
  agentLatency: Latencies;
  allLatency: Latencies;
  /** publish → WebSocket frame at the page, with --arrivals. */
  arrivalLatency?: Latencies;
  /** publish → PUBLISH parsed by the server, with --arrivals. */
  receivedLatency?: Latencies;
  /** publish → WebSocket frame handed to the server's socket, with --arrivals. */
  sentLatency?: Latencies;
  /** The server process' event-loop delay during the load (ms). */
  loopDelay: { p50: number; p99: number; max: number };
  /** The server process' garbage-collection pauses during the load. */
  serverGc: LoadWatch['gc'];
  /** publish → rendered during the warm-up (not part of the figures above). */
  warmUpLatency: Latencies;
  /** p99 publish → rendered of the chat published in each second of the load. */
  chatP99BySecond: number[];
  /** WebSocket frames received and sent by the page, load and drain. */
  wsFramesIn: number;
  wsFramesOut: number;
  drainMs: number;
  /** CPU of the server process, and of this one (publishers, Playwright), in % of a core. */
  serverCpuPercent: number;
  nodeCpuPercent: number;
  machineBusyPercent: number;
  publishErrors: number;
  longFrameScripts: [string, number][];
  profile?: string[];
  trace?: string[];
  allocations?: string[];
  serverAllocations?: string[];
}

if (args.allocations === 'true' && (args.profile || args.trace === 'true')) {
  console.warn('--allocations slows the page down: read --profile and --trace from another run');
}
if (args.serverAllocations === 'true') {
  console.warn(
    '--serverAllocations slows the server down: read the other figures from another run',
  );
}

const rate = Number(args.rate);
const total = Math.round(rate * Number(args.seconds));
const chatShare = Number(args.chatShare);
const rooms = list(args.rooms);
const agentIds = Array.from(
  { length: Number(args.agents) },
  (_, i) => `load-${String(i + 1).padStart(5, '0')}`,
);
const qos = 1; // as the app's members and agents publish

const latencies = (values: number[]): Latencies => ({
  count: values.length,
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  p99: percentile(values, 99),
  max: values.length ? Math.max(...values) : NaN,
});

function machineTimes() {
  let busy = 0;
  let all = 0;
  for (const cpu of os.cpus()) {
    const { idle, ...rest } = cpu.times;
    const used = Object.values(rest).reduce((a, b) => a + b, 0);
    busy += used;
    all += used + idle;
  }
  return { busy, all };
}

async function openView(page: Page, view: string): Promise<void> {
  if (view === 'room') {
    await openRoom(page, rooms[0] ?? 'general');
  } else {
    await openSection(page, 'Agents');
    const expected = `${agentIds.length} agents`;
    const { ok } = await waitForFigures(page, (f) => f.board === expected, 30_000);
    if (!ok) throw new Error(`the board never showed ${expected}`);
  }
}

async function runView(browser: Browser, view: string): Promise<Row> {
  const start = () =>
    startSwitchboard({
      root: appRoot,
      experiments: list(args.experiments),
      nodeFlags: args.serverNodeFlags.split(' ').filter(Boolean),
      ...(args.serverProfile === 'true' ? { cpuProfDir: PROFILE_DIR } : {}),
    });
  return withAppPage(browser, start, async (server, page) => {
    const broker =
      args.broker === 'mosquitto' ? await mosquittoBroker() : switchboardBroker(server);
    try {
      await broker.addAgents(agentIds);
      // Every agent has a retained state before the page opens, as a running fleet would.
      await broker.seedRetained(
        agentIds.map((agent) => `agents/${agent}/state`),
        agentState(0, Date.now()),
      );
      const publishers = await connectLoadPublishers(
        broker,
        { user: SENDER, clients: Number(args.senders) },
        agentIds,
      );
      try {
        await broker.connectPage(page);
        await signInAsAlice(page);
        await openView(page, view);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        await probe.observations(page); // what was shown before the load is not measured
        return await atLoadPriority(() => measureLoad(broker, page, view, publishers));
      } finally {
        await publishers.close();
      }
    } finally {
      await broker.stop();
    }
  });
}

async function measureLoad(
  server: PageBroker,
  page: Page,
  view: string,
  publishers: LoadPublishers,
): Promise<Row> {
  const openRoomName = view === 'room' ? rooms[0] : undefined;
  const chatPublishedAt = new Map<string, number[]>(rooms.map((room) => [room, []]));
  const agentPublishedAt = new Map<number, number>(); // agent-state seq → when
  const lastSeqOf = new Map<string, number>();
  let chatPublished = 0;
  let agentSeq = 0;
  const publish = (i: number) => {
    const at = Date.now();
    if (Math.floor((i + 1) * chatShare) > Math.floor(i * chatShare)) {
      const room = rooms[chatPublished++ % rooms.length] ?? 'general';
      const sent = chatPublishedAt.get(room) ?? [];
      const seq = sent.push(at);
      const message = { id: `${room}-${seq}`, from: SENDER, text: `load ${seq}`, sentAt: at };
      publishers.chat(room, JSON.stringify(message));
    } else {
      const seq = ++agentSeq;
      const agent = agentIds[seq % agentIds.length] ?? 'load-00001';
      agentPublishedAt.set(seq, at);
      lastSeqOf.set(agent, seq);
      publishers.agentState(agent, agentState(seq, at));
    }
  };
  // Every room shows every message published so far (badge or timeline length).
  const allShown = (figures: Record<string, string | null>) =>
    rooms.every((room) => {
      const count = chatPublishedAt.get(room)?.length ?? 0;
      const figure =
        room === openRoomName ? figures[`timeline:${room}`] : figures[`unread:${room}`];
      return Number(figure) === count;
    });

  await paced(rate, Math.round(rate * Number(args.warmup)), publish);
  if (!(await waitForFigures(page, allShown, DRAIN_TIMEOUT_MS)).ok)
    throw new Error('the page never caught up with the warm-up');
  const warmUp = latenciesFrom(await probe.observations(page), chatPublishedAt, agentPublishedAt);
  const warmUpLatency = latencies([...warmUp.chat, ...warmUp.agent]);
  // The measured load starts here: what was published before is shown and not counted.
  const shownBefore = new Map(rooms.map((room) => [room, chatPublishedAt.get(room)?.length ?? 0]));
  const chatBefore = chatPublished;
  const agentSeqBefore = agentSeq;
  agentPublishedAt.clear();

  const session =
    args.profile || args.trace === 'true' || args.allocations === 'true' ? await cdp(page) : null;
  if (session && args.profile) await startProfile(session);
  if (session && args.trace === 'true') await startTrace(session);
  if (session && args.allocations === 'true') await startAllocations(session);
  const cpuBefore = process.cpuUsage();
  const serverCpuBefore = cpuMicros(server.pid);
  const machineBefore = machineTimes();
  if (args.arrivals === 'true') await probe.trackArrivals(page);
  await server.startWatch({
    stamps: args.arrivals === 'true',
    allocations: args.serverAllocations === 'true',
  });
  const wsBefore = await probe.ws(page);
  await probe.start(page);
  const elapsedMs = await paced(rate, total, publish);
  const watch = await server.stopWatch();
  const window = await probe.stop(page);
  const cpu = process.cpuUsage(cpuBefore);
  const serverCpu = cpuMicros(server.pid) - serverCpuBefore;
  const machineAfter = machineTimes();
  const profile = session && args.profile ? await stopProfile(session, appRoot) : undefined;
  const trace = session && args.trace === 'true' ? await stopTrace(session) : undefined;
  const allocations =
    session && args.allocations === 'true' ? await stopAllocations(session, appRoot) : undefined;

  const drainStart = Date.now();
  const drained = await waitForFigures(page, allShown, DRAIN_TIMEOUT_MS);
  const drainMs = Date.now() - drainStart;
  const observations = await probe.observations(page);
  const wsAfter = await probe.ws(page);

  const chatShown = rooms.reduce((sum, room) => {
    const figure = drained.figures[room === openRoomName ? `timeline:${room}` : `unread:${room}`];
    const shown = Math.min(Number(figure) || 0, chatPublishedAt.get(room)?.length ?? 0);
    return sum + shown - (shownBefore.get(room) ?? 0);
  }, 0);

  // Every agent's last state, read off the board a screenful at a time.
  if (view !== 'agents') await openSection(page, 'Agents');
  const board = await probe.readAllAgents(page);
  const agentsFinalShown = agentIds.filter(
    (agent) => board[agent] === `s${lastSeqOf.get(agent) ?? 0}`,
  ).length;

  const { chat, agent } = latenciesFrom(
    observations,
    chatPublishedAt,
    agentPublishedAt,
    shownBefore,
  );
  const stats = frameStats(window);
  return {
    view,
    broker: server.name,
    offeredPerSecond: rate,
    achievedPerSecond: (total * 1_000) / elapsedMs,
    seconds: elapsedMs / 1_000,
    chatPublished: chatPublished - chatBefore,
    chatShown,
    agentStatesPublished: agentSeq - agentSeqBefore,
    agentsFinalShown,
    agents: agentIds.length,
    chatLatency: latencies(chat),
    agentLatency: latencies(agent),
    allLatency: latencies([...chat, ...agent]),
    ...(args.arrivals === 'true'
      ? {
          arrivalLatency: latencies(window.arrivals),
          receivedLatency: latencies(watch?.received ?? []),
          sentLatency: latencies(watch?.sent ?? []),
        }
      : {}),
    warmUpLatency,
    chatP99BySecond: p99BySecond(observations, chatPublishedAt, shownBefore),
    loopDelay: watch?.loopDelay ?? { p50: NaN, p99: NaN, max: NaN },
    serverGc: watch?.gc ?? [],
    wsFramesIn: wsAfter.frames - wsBefore.frames,
    wsFramesOut: wsAfter.sent - wsBefore.sent,
    drainMs: drained.ok ? drainMs : NaN,
    serverCpuPercent: (100 * serverCpu) / 1_000 / elapsedMs,
    nodeCpuPercent: (100 * (cpu.user + cpu.system)) / 1_000 / elapsedMs,
    machineBusyPercent:
      (100 * (machineAfter.busy - machineBefore.busy)) / (machineAfter.all - machineBefore.all),
    publishErrors: publishers.errors,
    ...stats,
    longFrameScripts: longFrameScripts(window.longFrames),
    ...(profile ? { profile } : {}),
    ...(trace ? { trace } : {}),
    ...(allocations ? { allocations } : {}),
    ...(watch?.allocations
      ? { serverAllocations: serverAllocationLines(watch.allocations, total) }
      : {}),
  };
}

/**
 * Runs `measure` with this process' main thread (the publishers, and the harness) at
 * `--loadNice`: the server and Chromium, started before, keep their priority.
 */
async function atLoadPriority<T>(measure: () => Promise<T>): Promise<T> {
  const nice = Number(args.loadNice);
  if (!Number.isInteger(nice) || nice < 0 || nice > 19)
    throw new Error(`--loadNice is an integer from 0 to 19, not ${args.loadNice}`);
  if (nice === 0) return measure();
  os.setPriority(nice);
  try {
    return await measure();
  } finally {
    os.setPriority(0); // back up needs root, which these machines give
  }
}

/** The server's allocations over the load (`--serverAllocations`), and per message. */
function serverAllocationLines({ bytes, lines }: SamplingSummary, messages: number): string[] {
  const perMessage = formatNumber(bytes / messages / 1024, 1);
  return [
    `server allocated ${megabytes(bytes).trim()} during the load, ${perMessage} KiB a message (sampled, freed objects included):`,
    ...lines.map((line) => `server ${line}`),
  ];
}

function agentState(seq: number, at: number): string {
  return JSON.stringify({ status: 'working', task: `s${seq}`, progress: seq % 101, updatedAt: at });
}

/**
 * publish → rendered for each message the page reflected: a chat message when its room's
 * count (unread badge, or the open timeline's length) first includes it, an agent state
 * when a board row first shows it. States that a newer one overtook before the next frame
 * are never drawn (the app coalesces agent states per frame, by design) and are not counted.
 */
function latenciesFrom(
  observations: Observation[],
  chatPublishedAt: Map<string, number[]>,
  agentPublishedAt: Map<number, number>,
  /** Messages of each room shown before the observations began. */
  shownBefore = new Map<string, number>(),
): { chat: number[]; agent: number[] } {
  const chat: number[] = [];
  const agent: number[] = [];
  const shownUpTo = new Map(shownBefore);
  const agentSeen = new Set<number>();
  for (const [figure, value, at] of observations) {
    const [kind, key] = figure.split(':');
    if ((kind === 'unread' || kind === 'timeline') && key) {
      const sent = chatPublishedAt.get(key) ?? [];
      const count = Math.min(Number(value) || 0, sent.length);
      for (let i = shownUpTo.get(key) ?? 0; i < count; i++) chat.push(at - (sent[i] ?? at));
      shownUpTo.set(key, Math.max(count, shownUpTo.get(key) ?? 0));
    } else if (kind === 'agent' && value?.startsWith('s')) {
      const seq = Number(value.slice(1));
      const publishedAt = agentPublishedAt.get(seq);
      if (publishedAt !== undefined && !agentSeen.has(seq)) {
        agentSeen.add(seq);
        agent.push(at - publishedAt);
      }
    }
  }
  return { chat, agent };
}

/** The chat latencies of `latenciesFrom`, grouped by the second of the load they were sent in. */
function p99BySecond(
  observations: Observation[],
  chatPublishedAt: Map<string, number[]>,
  shownBefore: Map<string, number>,
) {
  const measured = [...chatPublishedAt].map(([room, sent]) => sent[shownBefore.get(room) ?? 0]);
  const start = Math.min(...measured.map((at) => at ?? Infinity));
  const bySecond: number[][] = [];
  for (const [room, sent] of chatPublishedAt) {
    const before = shownBefore.get(room) ?? 0;
    const { chat } = latenciesFrom(
      observations,
      new Map([[room, sent]]),
      new Map(),
      new Map([[room, before]]),
    );
    chat.forEach((ms, i) =>
      (bySecond[Math.floor(((sent[before + i] ?? start) - start) / 1_000)] ??= []).push(ms),
    );
  }
  return [...bySecond].map((values) => percentile(values ?? [], 99));
}

// One view per process: a page that fell behind leaves the broker and the event loop busy
// for a while, which must not leak into the next view's numbers.
const views = list(args.views);
if (views.length > 1) {
  for (const view of views) {
    const app = args.app === 'worktree' ? 'worktree' : resolveCommit(args.app);
    const argv = process.argv
      .slice(2)
      .filter((arg) => !arg.startsWith('--views') && !arg.startsWith('--app'));
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        ...argv,
        `--views=${view}`,
        `--app=${app}`,
      ],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) process.exitCode = 1;
  }
  process.exit();
}

const appRoot = prepareApp(args.app);
const browser = await launchBrowser();
const rows: Row[] = [];
try {
  for (const view of views) {
    const row = await runView(browser, view);
    rows.push(row);
    console.log(
      `${view}: ${formatNumber(row.achievedPerSecond)} msg/s for ${formatNumber(row.seconds, 1)} s, ` +
        `chat shown ${row.chatShown}/${row.chatPublished}, agents final ${row.agentsFinalShown}/${row.agents}, ` +
        `p99 ${formatNumber(row.allLatency.p99)} ms, ${formatNumber(row.fps, 1)} fps, ` +
        `${row.longTasks} long tasks (worst ${formatNumber(row.worstLongTaskMs)} ms)`,
    );
    console.log(
      `  warm-up (${args.warmup} s, not counted): p50 ${formatNumber(row.warmUpLatency.p50)} ms, p99 ${formatNumber(row.warmUpLatency.p99)} ms`,
    );
    console.log(
      `  p99 chat by second of the load: ${row.chatP99BySecond.map((ms) => formatNumber(ms)).join(' ')}`,
    );
    const perFrame = (row.chatPublished + row.agentStatesPublished) / row.wsFramesIn;
    console.log(
      `  WebSocket frames to the page: ${formatNumber(row.wsFramesIn)} (${formatNumber(perFrame, 1)} messages a frame), from it: ${formatNumber(row.wsFramesOut)}`,
    );
    if (row.arrivalLatency) {
      const { p50, p99, max } = row.arrivalLatency;
      console.log(`  publish → frame at the page: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`);
    }
    console.log(
      `  CPU: ${row.broker === 'mosquitto' ? 'Mosquitto' : 'server process'} ${formatNumber(row.serverCpuPercent)} %, publishers and Playwright ${formatNumber(row.nodeCpuPercent)} %, machine ${formatNumber(row.machineBusyPercent)} % busy`,
    );
    const { p50, p99, max } = row.loopDelay;
    if (row.broker === 'switchboard')
      console.log(
        `  server event-loop delay: p50 ${formatNumber(p50, 1)} ms, p99 ${formatNumber(p99, 1)} ms, max ${formatNumber(max, 1)} ms`,
      );
    if (row.serverGc.length > 0) {
      const pauses = row.serverGc.map(
        ({ kind, count, totalMs, maxMs }) =>
          `${kind} ${count} (${formatNumber(totalMs)} ms, longest ${formatNumber(maxMs, 1)})`,
      );
      console.log(`  server GC pauses: ${pauses.join(', ')}`);
    }
    if (row.receivedLatency?.count) {
      const { p50, p99, max } = row.receivedLatency;
      console.log(
        `  publish → received by the server: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`,
      );
    }
    if (row.sentLatency?.count) {
      const { p50, p99, max } = row.sentLatency;
      console.log(
        `  publish → frame sent by the server: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`,
      );
    }
    for (const [script, ms] of row.longFrameScripts) {
      console.log(`  long frames: ${formatNumber(ms)} ms in ${script}`);
    }
    for (const line of [
      ...(row.profile ?? []),
      ...(row.trace ?? []),
      ...(row.allocations ?? []),
      ...(row.serverAllocations ?? []),
    ])
      console.log(`  ${line}`);
  }
} finally {
  await browser.close();
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
printTable(
  `One page at ${formatNumber(rate)} msg/s (${formatNumber(chatShare * 100)} % chat over ${rooms.length} rooms, the rest states of ${agentIds.length} agents), QoS ${qos}${args.broker === 'mosquitto' ? ', through Mosquitto (a reference)' : ''}`,
  [
    'view',
    'msg/s',
    'chat shown',
    'agents final',
    'p50 ms',
    'p99 ms',
    'p99 chat',
    'p99 agent',
    'fps',
    'slow frames',
    'long tasks',
    'worst task ms',
    'drain ms',
    'machine busy %',
    'targets',
  ],
  rows.map((row) => [
    row.view,
    formatNumber(row.achievedPerSecond),
    `${row.chatShown}/${row.chatPublished}`,
    `${row.agentsFinalShown}/${row.agents}`,
    formatNumber(row.allLatency.p50),
    formatNumber(row.allLatency.p99),
    formatNumber(row.chatLatency.p99),
    formatNumber(row.agentLatency.p99),
    formatNumber(row.fps, 1),
    row.slowFrames,
    row.longTasks,
    formatNumber(row.worstLongTaskMs),
    formatNumber(row.drainMs),
    formatNumber(row.machineBusyPercent),
    [
      `delivered ${met(row.chatShown === row.chatPublished && row.agentsFinalShown === row.agents)}`,
      `p99 ${met(row.allLatency.p99 < 50)}`,
      `fps ${met(row.fps >= 55)}`,
      `long tasks ${met(row.longTasks === 0)}`,
    ].join(', '),
  ]),
);
saveResult('browser-page', rows, args);
