import { spawnTsx, waitForOutput, type NodeProcess } from './child-process';
import { DEMO_PASSWORD, type E2eServer } from './e2e-server';

const CONNECT_TIMEOUT_MS = 60_000;

/** Gives `count` agent users (agent-01 …) to a server started with DEMO_AGENTS=0. */
export async function addAgentUsers(server: E2eServer, count: number): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `agent-${String(i + 1).padStart(2, '0')}`);
  for (const id of ids) {
    await server.cli(['user', 'add', `${id}@demo`, '--role', 'agent', '--password', DEMO_PASSWORD]);
  }
}

/** `npm run agents` as its own process; resolves once every agent is connected. */
export async function startAgentSimulator(server: E2eServer, count: number): Promise<NodeProcess> {
  const proc = spawnTsx(
    'src/agents/main.ts',
    ['--count', String(count), '--url', server.mqttUrl, '--password', DEMO_PASSWORD],
    {},
  );
  await waitForOutput(
    proc,
    (output) => output.includes(`${count} agents connected`),
    CONNECT_TIMEOUT_MS,
    'agents connected',
  );
  return proc;
}
