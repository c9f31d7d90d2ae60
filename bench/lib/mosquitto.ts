import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './free-port';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';
const START_TIMEOUT_MS = 5_000;
// The reference keeps Mosquitto's defaults except where a default would drop messages the
// benchmark counts: the 1,000-message queue per client would discard most of 10,000
// retained states sent at QoS 1 (Switchboard's broker has no such cap).
const MAX_QUEUED_MESSAGES = 100_000;

export interface MosquittoBroker {
  pid: number;
  version: string;
  wsUrl: string;
  mqttUrl: string;
  stop(): Promise<void>;
}

export function mosquittoInstalled(): boolean {
  return existsSync(MOSQUITTO_BIN);
}

/** Mosquitto on two free loopback ports (WebSocket and plain MQTT), anonymous access. */
export async function startMosquitto(): Promise<MosquittoBroker> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-mosquitto-'));
  const [tcpPort, wsPort] = [await freePort(), await freePort()];
  const config = [
    'per_listener_settings false',
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'set_tcp_nodelay true', // as Node's sockets, so both answer small packets at once
    `max_queued_messages ${MAX_QUEUED_MESSAGES}`,
    `listener ${tcpPort} 127.0.0.1`,
    'protocol mqtt',
    `listener ${wsPort} 127.0.0.1`,
    'protocol websockets',
    '',
  ].join('\n');
  const configPath = path.join(dir, 'mosquitto.conf');
  await writeFile(configPath, config);
  const proc = spawn(MOSQUITTO_BIN, ['-c', configPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await Promise.race([
    Promise.all([waitForPort(tcpPort, START_TIMEOUT_MS), waitForPort(wsPort, START_TIMEOUT_MS)]),
    exited.then(() => {
      throw new Error('mosquitto exited at start-up');
    }),
  ]);
  return {
    pid: proc.pid ?? -1,
    version: mosquittoVersion() ?? 'unknown',
    wsUrl: `ws://127.0.0.1:${wsPort}/mqtt`,
    mqttUrl: `mqtt://127.0.0.1:${tcpPort}`,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The installed version, or null when Mosquitto is not installed. */
export function mosquittoVersion(): string | null {
  if (!mosquittoInstalled()) return null;
  try {
    // `-h` prints "mosquitto version 2.0.11" and exits with 3.
    execFileSync(MOSQUITTO_BIN, ['-h'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const out = String((error as { stdout?: string }).stdout ?? '');
    const match = /version (\S+)/.exec(out);
    if (match?.[1]) return match[1];
  }
  return 'unknown';
}
