import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Benchmark processes talk over Node's IPC channel: one request, one reply, matched by id.
// Unsolicited messages (progress reports) go to `onEvent`.

export type RpcHandler = (args: never) => unknown;

interface Request {
  id: number;
  method: string;
  args: unknown;
}
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}
export interface RpcEvent {
  event: string;
  data: unknown;
}

const STARTUP_TIMEOUT_MS = 60_000; // tsx compiles the entry on first start

/** In a child: answers the parent's calls with `handlers`. */
export function serveRpc(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', (message: Request) => {
    const handler = handlers[message.method];
    const reply = (body: Omit<Reply, 'id'>) => process.send?.({ id: message.id, ...body });
    if (!handler) return reply({ error: `no method ${message.method}` });
    Promise.resolve()
      .then(() => handler(message.args as never))
      .then(
        (result) => reply({ result }),
        (error: unknown) => reply({ error: error instanceof Error ? error.stack : String(error) }),
      );
  });
}

/** In a child: tells the parent something without being asked. */
export function emitEvent(event: string, data: unknown): void {
  process.send?.({ event, data } satisfies RpcEvent);
}

export interface RpcChild {
  readonly process: ChildProcess;
  readonly pid: number;
  call<T>(method: string, args?: unknown): Promise<T>;
  onEvent(listener: (event: RpcEvent) => void): void;
  /** Asks the child to stop, then kills it if it does not exit. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Extra Node flags, e.g. --cpu-prof or --expose-gc. */
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Starts `entry` (a .ts file next to the caller) under tsx, waits for its `ready` event. */
export async function spawnRpcChild<T>(
  entry: URL,
  options: SpawnOptions = {},
): Promise<{ child: RpcChild; ready: T }> {
  const proc = fork(fileURLToPath(entry), [], {
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners: ((event: RpcEvent) => void)[] = [];
  let nextId = 1;
  let readyResolve: (value: T) => void = () => {};
  let startTimer: NodeJS.Timeout | undefined;
  const ready = new Promise<T>((resolve, reject) => {
    readyResolve = resolve;
    startTimer = setTimeout(
      () => reject(new Error(`${entry.pathname} did not start`)),
      STARTUP_TIMEOUT_MS,
    );
    proc.once('exit', (code) => reject(new Error(`${entry.pathname} exited with ${code}`)));
  }).finally(() => clearTimeout(startTimer));
  proc.on('message', (message: Reply | RpcEvent) => {
    if ('event' in message) {
      if (message.event === 'ready') readyResolve(message.data as T);
      for (const listener of listeners) listener(message);
      return;
    }
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  proc.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`child exited with ${code}`));
    pending.clear();
  });
  const child: RpcChild = {
    process: proc,
    pid: proc.pid ?? -1,
    call<R>(method: string, args?: unknown) {
      return new Promise<R>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        proc.send({ id, method, args } satisfies Request);
      });
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      await child.call('stop').catch(() => {});
      const killTimer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killTimer);
    },
  };
  return { child, ready: await ready };
}
