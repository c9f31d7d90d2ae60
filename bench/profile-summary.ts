import { readFileSync } from 'node:fs';

// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package, so
// docs/benchmarks.md can say where the broker's time goes. Usage:
//   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [from-to]
// from-to: only the samples between those seconds of the profile (say 7-11, the measured
// seconds of a benchmark rather than its connections' set-up); without it, all of them.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const DEFAULT_TOP = 25;

function packageOf(url: string): string {
  if (url === '') return '(native / VM)';
  if (url.startsWith('node:')) return 'node core';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match?.[1]) return match[1];
  const own = /\/(src|bench|test)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

const [file, topArg, windowArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [top] [from-to seconds]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const [fromSeconds, toSeconds] = (windowArg ?? '0-Infinity').split('-').map(Number);
const selfMicros = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at < fromSeconds! * 1e6 || at >= toSeconds! * 1e6) return;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
});
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
const idle = [...selfMicros].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
const idleMicros = idle.reduce((sum, [, us]) => sum + us, 0);
const busy = total - idleMicros;

const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, us] of selfMicros) {
  const frame = byId.get(id)?.callFrame;
  if (!frame || frame.functionName === '(idle)') continue;
  const where = frame.url ? `${packageOf(frame.url)}:${frame.lineNumber + 1}` : '';
  const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
  functions.set(key, (functions.get(key) ?? 0) + us);
  const pkg = packageOf(frame.url);
  packages.set(pkg, (packages.get(pkg) ?? 0) + us);
}

const top = Number(topArg ?? DEFAULT_TOP);
const share = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
console.log(`busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled\n`);
console.log('self time by package');
for (const [pkg, us] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${share(us)}  ${pkg}`);
}
console.log('\nself time by function');
for (const [fn, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${share(us)}  ${fn}`);
}
