import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `npm run bench`: every benchmark in turn, each in a fresh process so none inherits
// another's warm caches, garbage or open sockets.

const BENCHMARKS = ['fan-out', 'retained', 'idle-memory', 'chat-cost', 'bundle-size'] as const;

for (const name of BENCHMARKS) {
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
