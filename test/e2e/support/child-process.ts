import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

// Output kept per child so a failing test can say what the process printed.
const MAX_KEPT_OUTPUT_CHARS = 20_000;

export interface NodeProcess {
  child: ChildProcess;
  /** stdout and stderr so far (the tail). */
  output(): string;
  /** Resolves when the process has exited (at once if it already has). */
  exited(): Promise<void>;
  /** SIGKILL: no shutdown handler runs, sockets drop as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
// A crashed test run must not leave servers holding ports and data dirs.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** `node --import tsx <script> ...args` from the repository root. */
export function spawnTsx(script: string, args: string[], env: NodeJS.ProcessEnv): NodeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-MAX_KEPT_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => output,
    exited: () => exit,
    async kill() {
      if (!hasExited()) child.kill('SIGKILL');
      await exit;
    },
    async stop(graceMs = 10_000) {
      if (hasExited()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Resolves when `predicate` holds for the output; rejects on exit or after `timeoutMs`. */
export function waitForOutput(
  proc: NodeProcess,
  predicate: (output: string) => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate(proc.output())) finish();
    };
    const onExit = () =>
      finish(new Error(`process exited before ${what}; its output:\n${proc.output()}`));
    const timer = setTimeout(
      () => finish(new Error(`no ${what} within ${timeoutMs} ms; output:\n${proc.output()}`)),
      timeoutMs,
    );
    const finish = (error?: Error) => {
      clearTimeout(timer);
      proc.child.stdout?.off('data', check);
      proc.child.stderr?.off('data', check);
      proc.child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    proc.child.stdout?.on('data', check);
    proc.child.stderr?.on('data', check);
    proc.child.once('exit', onExit);
    check();
  });
}
