import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from '../test/e2e/support/browser';

// `npm run bench`: every benchmark in turn, each in a fresh process so none inherits
// another's warm caches, garbage or open sockets. The two in Chromium run when Debian's
// chromium is installed (as Mosquitto, the reference, is used when it is).

const SERVER_BENCHMARKS = ['fan-out', 'retained', 'idle-memory', 'chat-cost', 'bundle-size'];
const BROWSER_BENCHMARKS = ['browser-page', 'browser-scale'];

const benchmarks = [...SERVER_BENCHMARKS];
if (existsSync(CHROMIUM_PATH)) benchmarks.push(...BROWSER_BENCHMARKS);
else
  console.log(`Chromium is not installed (${CHROMIUM_PATH}): the browser benchmarks are skipped.`);

for (const name of benchmarks) {
  console.log(`\n=== ${name} ===`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
      { stdio: 'inherit' },
    );
    child.once('exit', resolve);
  });
  if (code !== 0) {
    console.error(`${name} failed (exit ${code})`);
    process.exitCode = 1;
  }
}
