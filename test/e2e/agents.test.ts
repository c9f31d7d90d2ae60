import { describe, expect, it } from 'vitest';
import { COMMAND_REPLY_WAIT_MS } from '../../src/client/features/agent-board/lib/command-outcome';
import type { AgentState } from '../../src/shared/schemas';
import { addAgentUsers, startAgentSimulator } from './support/agent-simulator';
import { routeThroughLink, type BrokerLink } from './support/broker-link';
import { useE2eHarness } from './support/e2e-harness';
import { freePort } from './support/free-port';
import { connectAs } from './support/mqtt-observer';
import {
  agentRow,
  connectionStatus,
  openSection,
  UI_TIMEOUT_MS,
  waitConnected,
} from './support/workspace-page';

const AGENTS = ['agent-01', 'agent-02', 'agent-03'];
const FIRST_TASK_TIMEOUT_MS = 60_000; // agents rest 2–6 ticks of 1–3 s before a task

describe('agents', () => {
  const e2e = useE2eHarness('agents');

  it('the board shows retained states on load, a killed simulator turns its agents offline, and a ping gets its reply', async () => {
    const server = await e2e.startServer();
    await addAgentUsers(server, AGENTS.length);
    const observer = await connectAs(server, 'admin');
    e2e.onCleanup(() => observer.close());
    await observer.client.subscribeAsync('agents/+/state', { qos: 1 });
    const latest = new Map<string, AgentState>();
    observer.client.on('message', (topic, payload) => {
      const agent = topic.split('/')[1];
      if (agent) latest.set(agent, JSON.parse(payload.toString()) as AgentState);
    });

    // A first simulator works for a while, then stops cleanly: its states stay retained.
    const first = await startAgentSimulator(server, AGENTS.length);
    e2e.onCleanup(() => first.kill());
    for (const agent of AGENTS) {
      await observer.waitFor(
        (m) => m.topic === `agents/${agent}/state` && m.payload.includes('"task"'),
        FIRST_TASK_TIMEOUT_MS,
      );
    }
    await first.stop();

    // Nobody is publishing now: whatever alice sees came from the broker's retained store.
    const alice = await e2e.signIn(server, 'alice@demo');
    await openSection(alice.page, 'Agents');
    for (const agent of AGENTS) {
      const state = latest.get(agent);
      expect(state, `${agent} published a state`).toBeDefined();
      if (!state) continue;
      expect(state.status).not.toBe('offline');
      const row = agentRow(alice.page, agent);
      await row.getByText(state.status, { exact: true }).waitFor();
      await row.getByText(state.task ?? '—', { exact: true }).waitFor();
    }
    await alice.page.getByText(`${AGENTS.length} agents`, { exact: true }).waitFor();
    await e2e.snapshot(alice.page, 'retained board');

    // A second simulator, started as its own process, then killed: its wills fire.
    const second = await startAgentSimulator(server, AGENTS.length);
    e2e.onCleanup(() => second.kill());

    await agentRow(alice.page, 'agent-02').getByRole('link', { name: 'agent-02' }).click();
    await alice.page.getByRole('heading', { name: 'agent-02', level: 2 }).waitFor();
    await alice.page
      .getByRole('group', { name: 'Commands' })
      .getByRole('button', { name: 'Ping' })
      .click();
    await alice.page
      .getByText('done: pong', { exact: true })
      .waitFor()
      .catch((e: unknown) => {
        console.error('SIMULATOR OUTPUT', second.output());
        throw e;
      });

    await alice.page.getByRole('link', { name: '← All agents' }).click();
    for (const agent of AGENTS) {
      await agentRow(alice.page, agent)
        .getByText('offline', { exact: true })
        .waitFor({ state: 'hidden' });
    }
    await second.kill();
    for (const agent of AGENTS) {
      await agentRow(alice.page, agent).getByText('offline', { exact: true }).waitFor();
    }
    await expect
      .poll(
        () =>
          alice.page
            .getByRole('list', { name: 'Agents' })
            .getByText('offline', { exact: true })
            .count(),
        {
          timeout: UI_TIMEOUT_MS,
        },
      )
      .toBe(AGENTS.length);

    // A command to an agent that is gone is acknowledged by the broker, and lost or queued
    // (clean or persistent session): the log says so instead of waiting for a reply for good.
    await agentRow(alice.page, 'agent-01').getByRole('link', { name: 'agent-01' }).click();
    await alice.page
      .getByRole('group', { name: 'Commands' })
      .getByRole('button', { name: 'Pause' })
      .click();
    await alice.page
      .getByText(
        'no reply yet: the agent is offline; an agent that keeps its session runs it when it is back',
        { exact: true },
      )
      .waitFor();
  }, 180_000); // agents rest up to 18 s before their first task
});

describe('agents after a lost connection', () => {
  const e2e = useE2eHarness('agents-reconnect');

  it('an agent removed while the board was disconnected is gone once it reconnects', async () => {
    // The page reaches the broker through a relay on another port: the server must list
    // the page's origin, or it refuses the WebSocket (another port is another origin), and
    // the relay's, or the page's Content-Security-Policy keeps it from connecting there.
    const relayPort = await freePort();
    const server = await e2e.startServer({
      listOwnOrigin: true,
      allowedOrigins: [`http://127.0.0.1:${relayPort}`],
    });
    await addAgentUsers(server, 2);
    const agents = await Promise.all(['agent-01', 'agent-02'].map((id) => connectAs(server, id)));
    e2e.onCleanup(() => Promise.all(agents.map((agent) => agent.close())));
    for (const [i, agent] of agents.entries()) {
      const state: AgentState = { status: 'working', task: `Task ${i + 1}`, updatedAt: Date.now() };
      await agent.client.publishAsync(`agents/agent-0${i + 1}/state`, JSON.stringify(state), {
        qos: 1,
        retain: true,
      });
    }

    let link: BrokerLink | undefined;
    const alice = await e2e.signIn(server, 'alice@demo', undefined, async (context) => {
      link = await routeThroughLink(context, server.httpUrl, e2e.onCleanup, relayPort);
    });
    if (!link) throw new Error('the link was not set up');
    await openSection(alice.page, 'Agents');
    await alice.page.getByText('2 agents', { exact: true }).waitFor();

    // The network drops; meanwhile agent-02 is decommissioned and clears its state. The
    // clear is a retained message of nobody's queue: it cannot reach alice's tab now.
    link.cut();
    await connectionStatus(alice.page)
      .filter({ hasText: /^(Reconnecting|Connecting)/ })
      .waitFor();
    await agents[1]?.client.publishAsync('agents/agent-02/state', '', { qos: 1, retain: true });
    expect(await agentRow(alice.page, 'agent-02').count()).toBe(1);

    link.restore();
    await waitConnected(alice.page);
    await agentRow(alice.page, 'agent-02').waitFor({ state: 'detached' });
    await alice.page.getByText('1 agent', { exact: true }).waitFor();
    await agentRow(alice.page, 'agent-01').getByText('Task 1', { exact: true }).waitFor();

    // agent-01 reports "working" but answers no command (as one whose inbox the ACL
    // closed to alice would look): after the wait, the log says no reply came.
    await agentRow(alice.page, 'agent-01').getByRole('link', { name: 'agent-01' }).click();
    await alice.page
      .getByRole('group', { name: 'Commands' })
      .getByRole('button', { name: 'Ping' })
      .click();
    await alice.page.getByText('sent, no reply yet', { exact: true }).waitFor();
    await alice.page
      .getByText(/^no reply after 10 s: the agent may be offline, or commands to it not allowed$/)
      .waitFor({ timeout: COMMAND_REPLY_WAIT_MS + UI_TIMEOUT_MS });
  }, 120_000);
});
