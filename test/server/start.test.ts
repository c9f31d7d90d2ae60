import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTsx, waitForOutput } from '../e2e/support/child-process';

// `npm start` as a new user runs it (src/server/main.ts in a child process), on a data dir
// of its own: what it prints when it cannot start, and that it starts again after.

const START_TIMEOUT_MS = 30_000;
// A test here starts up to three servers, each a new process that transpiles the server
// and hashes the demo passwords: legitimately slow on a loaded 2-core machine.
const TEST_TIMEOUT_MS = 3 * START_TIMEOUT_MS;
// Printed once the server listens on both ports (main.ts): the ports it was given, or
// picked by the OS for 0.
const WELCOME = /Switchboard is running: (https?:\/\/\S+)/;

let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'switchboard-start-')), 'data');
  // Port 0: each start gets ports of its own from the OS. Ports picked once for the whole
  // file were free only when picked, and another test's server or client could take them
  // before the next start here.
  env = {
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: dataDir,
    DEMO_PASSWORD: '',
    DEMO_AGENTS: '2',
    LOG_LEVEL: 'warn',
  };
});
afterAll(() => rm(path.dirname(dataDir), { recursive: true, force: true }));

/** Runs `npm start`'s server until it is healthy and has printed `until` (all of it), then stops it. */
async function startAndStop(
  extraEnv: NodeJS.ProcessEnv = {},
  until: string | string[] = 'Switchboard is running',
): Promise<string> {
  const server = spawnTsx('src/server/main.ts', [], { ...env, ...extraEnv });
  try {
    await waitForOutput(server, (output) => WELCOME.test(output), START_TIMEOUT_MS, 'welcome');
    const httpUrl = WELCOME.exec(server.output())?.[1];
    const health = await fetch(`${httpUrl}/healthz`);
    expect(health.ok, server.output()).toBe(true);
    const texts = [until].flat();
    await waitForOutput(
      server,
      (output) => texts.every((text) => output.includes(text)),
      START_TIMEOUT_MS,
      texts.join(' and '),
    );
    return server.output();
  } finally {
    await server.stop();
  }
}

describe('npm start', { timeout: TEST_TIMEOUT_MS }, () => {
  it('names the setting when a port is taken, and shows the demo logins at the next start', async () => {
    // The squatter holds its port from before the server is told it until after it exited.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const mqttPort = (squatter.address() as net.AddressInfo).port;
    let output: string;
    try {
      const server = spawnTsx('src/server/main.ts', [], { ...env, MQTT_PORT: String(mqttPort) });
      await server.exited();
      expect(server.child.exitCode).toBe(1);
      output = server.output();
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect(output).toContain(`Cannot start: MQTT_PORT: 127.0.0.1:${mqttPort} is in use`);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
    // The demo org was seeded before the port was found taken: its passwords were kept.
    const started = await startAndStop();
    expect(started).toContain('Demo logins (org "demo"); passwords are shown only now:');
    expect(started).toMatch(/alice@demo\s+\S+/);
    // Shown once only.
    expect(await startAndStop()).toContain('Sign in with your users');
    // Private to the server's user: password hashes, history, queues.
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
  });

  it('keeps serving, and the rest of the demo fleet, when a demo agent cannot sign in (disabled by an admin)', async () => {
    const cli = spawnTsx('src/server/cli/main.ts', ['user', 'disable', 'agent-01@demo'], env);
    await cli.exited();
    expect(cli.child.exitCode, cli.output()).toBe(0);
    const warning = 'The demo cannot sign in agent-01@demo';
    const running = 'agent-02: connected'; // a debug line
    const output = await startAndStop({ LOG_LEVEL: 'debug' }, ['demo_agent_stopped', running]);
    expect(output).toContain('Switchboard is running');
    expect(output).toContain(running);
    expect(output.split(warning)).toHaveLength(2); // said once
    expect(output).toContain('npm run cli -- user enable agent-01@demo');
    expect(output).not.toContain('the demo agents could not start');
  });

  it('has the CLI refuse a DATA_DIR with no data in it (mistyped), but create an org there', async () => {
    const elsewhere = path.join(path.dirname(dataDir), 'typo');
    const cli = (...args: string[]) =>
      spawnTsx('src/server/cli/main.ts', args, { ...env, DATA_DIR: elsewhere });
    const list = cli('user', 'list');
    await list.exited();
    expect(list.child.exitCode).toBe(1);
    expect(list.output()).toContain(
      `error[no_data]: no Switchboard data in "${elsewhere}" (DATA_DIR)`,
    );
    await expect(stat(elsewhere)).rejects.toThrow(); // nothing was created
    const misconfigured = spawnTsx('src/server/cli/main.ts', ['user', 'list'], {
      ...env,
      PORT: 'eighty',
    });
    await misconfigured.exited();
    expect(misconfigured.child.exitCode).toBe(1);
    expect(misconfigured.output()).toMatch(/^error\[invalid_config\]: PORT/m);
    const add = cli('org', 'add', 'acme');
    await add.exited();
    expect(add.child.exitCode, add.output()).toBe(0);
  });

  it('refuses a demo password the CLI would refuse when it seeds, not after', async () => {
    const fresh = path.join(path.dirname(dataDir), 'fresh');
    const server = spawnTsx('src/server/main.ts', [], {
      ...env,
      DATA_DIR: fresh,
      DEMO_PASSWORD: 'short',
    });
    await server.exited();
    expect(server.child.exitCode).toBe(1);
    expect(server.output()).toContain('Configuration error: DEMO_PASSWORD');
    // A data dir seeded long ago starts, whatever DEMO_PASSWORD says now.
    expect(await startAndStop({ DEMO_PASSWORD: 'short' })).toContain('Switchboard is running');
  });
});
