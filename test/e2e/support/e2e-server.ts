import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { REPO_ROOT, spawnTsx, type NodeProcess } from './child-process';

/** Every demo user (alice, bob, admin, notifier, agents) gets this password from the seed. */
export const DEMO_PASSWORD = 'e2e-demo-password';

const START_TIMEOUT_MS = 60_000; // tsx compiles the server on start; the machine is shared
const HEALTH_POLL_MS = 100;
const CLI_TIMEOUT_MS = 60_000;

export interface E2eServerOptions {
  /** In-process demo fleet size (DEMO_AGENTS); 0 unless a test needs the fleet. */
  demoAgents?: number;
  tokenTtlSeconds?: number;
  /**
   * ALLOWED_ORIGINS = the app's own origin: needed, as in a deployment, when the page
   * reaches the broker's WebSocket at another address than its own (a relay, a proxy).
   */
  listOwnOrigin?: boolean;
  /** More ALLOWED_ORIGINS: a relay's, whose ws: form the page's CSP then allows. */
  allowedOrigins?: string[];
}

export interface E2eServer {
  httpUrl: string;
  mqttUrl: string;
  dataDir: string;
  /** SIGKILL, as in a crash: no shutdown handler, no DISCONNECT, sockets just drop. */
  kill(): Promise<void>;
  /** Starts the server again on the same data dir and ports; resolves once healthy. */
  restart(): Promise<void>;
  /** `npm run cli -- ...args` against this server's data dir (fine next to a live server). */
  cli(args: string[]): Promise<string>;
  /** Stops the server and deletes its data dir. */
  cleanup(): Promise<void>;
}

/** The server serves the built app; without dist/ every test would fail obscurely. */
export function assertAppBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'index.html'))) {
    throw new Error(
      'The end-to-end suite needs the built app in dist/: run `npm run build` first, then `npm run test:e2e`.',
    );
  }
}

/** The real server (`node --import tsx src/server/main.ts`) on free loopback ports. */
export async function startE2eServer(options: E2eServerOptions = {}): Promise<E2eServer> {
  assertAppBuilt();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-e2e-'));
  const [port, mqttPort] = [await freePort(), await freePort()];
  const httpUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    HOST: '127.0.0.1',
    PORT: String(port),
    MQTT_PORT: String(mqttPort),
    DATA_DIR: dataDir,
    DEMO_PASSWORD,
    DEMO_AGENTS: String(options.demoAgents ?? 0),
    LOG_LEVEL: 'warn',
    // The tests play bursts of hundreds of messages from one member (a busy room).
    CHAT_RATE_PER_SECOND: '0',
    ALLOWED_ORIGINS: [
      ...(options.listOwnOrigin ? [httpUrl] : []),
      ...(options.allowedOrigins ?? []),
    ].join(','),
    ...(options.tokenTtlSeconds === undefined
      ? {}
      : { TOKEN_TTL_SECONDS: String(options.tokenTtlSeconds) }),
  };

  let proc: NodeProcess | null = null;
  const start = async () => {
    proc = spawnTsx('src/server/main.ts', [], env);
    await waitUntilHealthy(httpUrl, proc);
  };
  try {
    await start();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true }); // nobody else will clean it up
    throw error;
  }

  return {
    httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    dataDir,
    async kill() {
      await proc?.kill();
    },
    async restart() {
      await proc?.kill();
      await start();
    },
    cli: (args) => runCli(dataDir, args),
    async cleanup() {
      await proc?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitUntilHealthy(httpUrl: string, proc: NodeProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void proc.exited().then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the server exited during start-up:\n${proc.output()}`);
    try {
      const response = await fetch(`${httpUrl}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  await proc.kill();
  throw new Error(`the server was not healthy within ${START_TIMEOUT_MS} ms:\n${proc.output()}`);
}

function runCli(dataDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CLI_TIMEOUT_MS,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`cli ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}
