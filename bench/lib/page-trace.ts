import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { PROFILE_DIR } from './start-target';

// A Chromium trace of the page's main thread, for what a CPU profile leaves in "(program)":
// style, layout, paint, the compositor's commit, event dispatch. The trace is saved whole
// (bench/results/profiles/page-*.trace.json, for DevTools' Performance panel) and summed
// up by event: the time each kind of event spent on the main thread outside its children.
// Tracing slows the page down (about 10 % fewer frames): use it to see where the time
// goes, not for the targets' figures.

// DevTools' own; adding 'v8' or 'blink' halved the page's frame rate.
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];
const EVENTS_SHOWN = 16;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

export async function startTrace(session: CDPSession): Promise<void> {
  await session.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { includedCategories: CATEGORIES },
  });
}

export async function stopTrace(session: CDPSession): Promise<string[]> {
  const complete = new Promise<string>((resolve) =>
    session.once('Tracing.tracingComplete', (event) => resolve(event.stream ?? '')),
  );
  await session.send('Tracing.end');
  const handle = await complete;
  let text = '';
  for (;;) {
    const chunk = await session.send('IO.read', { handle });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await session.send('IO.close', { handle });
  mkdirSync(PROFILE_DIR, { recursive: true });
  const saved = path.join(
    PROFILE_DIR,
    `page-${new Date().toISOString().replace(/[:.]/g, '')}.trace.json`,
  );
  writeFileSync(saved, text);
  const parsed = JSON.parse(text) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  return [`trace saved (${path.relative(process.cwd(), saved)})`, ...summarize(events)];
}

/** Self time by event name on the renderer's main thread, in ms and in % of the window. */
function summarize(events: readonly TraceEvent[]): string[] {
  const main = events.find(
    (event) =>
      event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain',
  );
  if (!main) return ['no renderer main thread in the trace'];
  const slices = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  if (slices.length === 0) return ['no events on the renderer main thread'];
  const self = new Map<string, number>();
  // Slices nest; a stack of open ones gives each its children's time to subtract.
  const open: { end: number; name: string }[] = [];
  const windowStart = slices[0]?.ts ?? 0;
  let windowEnd = windowStart;
  let busy = 0;
  for (const slice of slices) {
    const end = slice.ts + (slice.dur ?? 0);
    windowEnd = Math.max(windowEnd, end);
    while (open.length > 0 && (open.at(-1)?.end ?? 0) <= slice.ts) open.pop();
    const parent = open.at(-1);
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - (slice.dur ?? 0));
    else busy += slice.dur ?? 0;
    self.set(slice.name, (self.get(slice.name) ?? 0) + (slice.dur ?? 0));
    open.push({ end, name: slice.name });
  }
  const windowUs = windowEnd - windowStart;
  const lines = [
    `main thread busy ${(busy / 1e3).toFixed(0)} ms of ${(windowUs / 1e3).toFixed(0)} ms traced; self time by event:`,
  ];
  for (const [name, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, EVENTS_SHOWN)) {
    const share = ((100 * micros) / busy).toFixed(1).padStart(5);
    lines.push(`${share}%  ${(micros / 1e3).toFixed(0).padStart(6)} ms  ${name}`);
  }
  return lines;
}
