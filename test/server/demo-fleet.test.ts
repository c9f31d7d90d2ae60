import { afterEach, describe, expect, it } from 'vitest';
import type { AgentFleet } from '../../src/agents/agent-fleet';
import { runCli } from '../../src/server/cli/run-cli';
import { startDemoFleet } from '../../src/server/demo-fleet';
import { captureLog } from './support/captured-log';
import { eventually } from './support/eventually';
import { startTestServer, type TestServer } from './support/test-server';

// `npm start`'s demo fleet on the real server, after an admin changed some of its users
// (the CLI here; the admin console writes the same records): the server keeps the old
// passwords of the demo in demo-credentials.json, which no reset updates.

const RECONNECT_PERIOD_MS = 50; // so a test sees many periods in a second
const WATCH_MS = 1_500; // ≥ 30 reconnect periods: a client that retried would show it
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestServer | undefined;
let fleet: AgentFleet | null | undefined;

afterEach(async () => {
  await fleet?.stop();
  await server?.cleanup();
  server = fleet = undefined;
});

async function start(agents: number) {
  const log = captureLog();
  server = await startTestServer({ demoAgents: agents }, log.logger);
  const admin = async (...argv: string[]) => {
    const out: string[] = [];
    const status = await runCli(argv, {
      storage: server!.storage,
      actor: 'cli:ops',
      out: (line) => out.push(line),
    });
    expect(status, out.join('\n')).toBe(0);
  };
  const startFleet = async () => {
    fleet = await startDemoFleet(server!.config, server!, log.logger, {
      reconnectPeriodMs: RECONNECT_PERIOD_MS,
    });
    return fleet;
  };
  const eventsOf = (event: string) => log.events.filter((line) => line.event === event);
  const stopped = () => eventsOf('demo_agent_stopped').map((line) => String(line.msg));
  /** The warnings that name `username`. */
  const about = (username: string) => stopped().filter((line) => line.includes(`${username}:`));
  return { admin, startFleet, eventsOf, stopped, about };
}

describe("npm start's demo fleet", () => {
  it('starts without the clients an admin changed, and names each once with how to bring it back', async () => {
    const { admin, startFleet, eventsOf, stopped, about } = await start(5);
    await admin('user', 'passwd', 'agent-02@demo', '--password', 'changed-password-1');
    await admin('user', 'disable', 'agent-03@demo');
    await admin('user', 'remove', 'agent-04@demo');
    await admin('user', 'passwd', 'notifier@demo', '--password', 'changed-password-2');

    const fleet = await startFleet();
    await sleep(WATCH_MS);

    expect(fleet?.agents.map((agent) => agent.id)).toEqual(['agent-01', 'agent-05']);
    expect(fleet?.agents.every((agent) => agent.connected)).toBe(true);
    expect(fleet?.refused).toEqual(['agent-02', 'agent-03', 'agent-04']);
    expect(eventsOf('demo_fleet_failed')).toEqual([]);
    // One CONNECT each, refused: none retried.
    expect(
      eventsOf('connect_refused')
        .map((line) => line.code)
        .sort(),
    ).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'invalid_credentials',
      'user_disabled',
    ]);
    expect(stopped()).toHaveLength(4);
    for (const [username, why, remedy] of [
      ['agent-02@demo', /refused its password/, /user passwd agent-02@demo/],
      ['agent-03@demo', /disabled/, /user enable agent-03@demo/],
      ['agent-04@demo', /removed/, /user add agent-04@demo --role agent/],
      ['notifier@demo', /refused its password/, /user passwd notifier@demo/],
    ] as const) {
      expect(about(username), username).toEqual([expect.stringMatching(why)]);
      expect(about(username)[0]).toMatch(remedy);
      expect(about(username)[0]).toMatch(/restart the server/);
    }
    expect(about('agent-02@demo')[0]).toContain(server!.config.dataDir);
  });

  it('stops a client changed while it runs, with the same one warning, and keeps the rest', async () => {
    const { admin, startFleet, eventsOf, stopped, about } = await start(3);
    const fleet = await startFleet();
    expect(fleet?.agents.map((agent) => agent.id)).toEqual(['agent-01', 'agent-02', 'agent-03']);

    // The running server closes their connections; their next CONNECTs are refused.
    await admin('user', 'passwd', 'agent-02@demo', '--password', 'changed-password-1');
    await admin('user', 'disable', 'agent-03@demo');
    await eventually(() => stopped().length === 2, 5_000, 'two clients stopped');
    const refusedBefore = eventsOf('connect_refused').length;
    await sleep(WATCH_MS);

    expect(eventsOf('connect_refused')).toHaveLength(refusedBefore);
    expect(about('agent-02@demo')).toEqual([expect.stringMatching(/user passwd agent-02@demo/)]);
    expect(about('agent-03@demo')).toEqual([expect.stringMatching(/user enable agent-03@demo/)]);
    expect(fleet?.agents.map((agent) => [agent.id, agent.connected])).toEqual([
      ['agent-01', true],
      ['agent-02', false],
      ['agent-03', false],
    ]);
  });

  it('says so when DEMO_AGENTS asks for more agents than the data dir was seeded with', async () => {
    const { startFleet, eventsOf } = await start(2);
    expect(await startFleet()).not.toBeNull();
    expect(eventsOf('demo_agents_not_seeded')).toEqual([]); // as many as seeded
    await fleet?.stop();

    server!.config.demoAgents = 5; // a restart with DEMO_AGENTS raised
    const more = await startFleet();
    expect(more?.agents.map((agent) => agent.id)).toEqual(['agent-01', 'agent-02']);
    expect(eventsOf('demo_agents_not_seeded')).toEqual([
      expect.objectContaining({
        wanted: 5,
        seeded: 2,
        msg: expect.stringMatching(/seeded with 2 agent\(s\).*2 run.*new DATA_DIR/),
      }),
    ]);
  });

  it('says that nothing of the demo runs when its first start had DEMO_AGENTS=0', async () => {
    const { startFleet, eventsOf } = await start(0);
    server!.config.demoAgents = 5;
    expect(await startFleet()).toBeNull();
    expect(eventsOf('demo_agents_not_seeded')).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/no demo agent or notifier runs/) }),
    ]);
  });
});
