import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgentFleet, type AgentFleet } from '../../src/agents/agent-fleet';
import { SimulatedAgent } from '../../src/agents/simulated-agent';
import { agentStateSchema, notificationSchema } from '../../src/shared/schemas';
import { agentStateTopic } from '../../src/shared/topics';
import { Observer, sleep, startBroker, type Received, type TestBroker } from './broker';

const SLOW_TICK_MS = 60_000; // no tick during the test: only the state published on connect
const RECONNECT_PERIOD_MS = 50; // so a test sees many periods in a second
const WATCH_MS = 500; // ≥ 10 reconnect periods: a client that retried would show it
const quiet = () => undefined;

const stateOf = (agent: string, status?: string) => (message: Received) =>
  message.topic === agentStateTopic(agent) &&
  (status === undefined || agentStateSchema.parse(message.json).status === status);

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) await sleep(25);
  expect(condition()).toBe(true);
}

describe('a fleet of simulated agents', () => {
  let broker: TestBroker | undefined;
  let fleet: AgentFleet | undefined;
  const observers: Observer[] = [];

  afterEach(async () => {
    await Promise.all(observers.splice(0).map((observer) => observer.close()));
    await fleet?.stop();
    await broker?.close();
    fleet = broker = undefined;
  });

  const start = async (extra: Partial<Parameters<typeof startAgentFleet>[0]> = {}) => {
    broker = await startBroker();
    fleet = await startAgentFleet({
      url: broker.url,
      count: 2,
      password: () => 'secret',
      tickMs: SLOW_TICK_MS,
      logger: quiet,
      ...extra,
    });
    return { broker, fleet };
  };

  const observe = async (url: string, ...filters: string[]) => {
    const observer = await Observer.connect(url, ...filters);
    observers.push(observer);
    return observer;
  };

  it('names agents agent-01… and leaves a retained state for late subscribers', async () => {
    const { broker, fleet } = await start();
    expect(fleet.agents.map((agent) => agent.id)).toEqual(['agent-01', 'agent-02']);
    expect(broker.usernames).toEqual(expect.arrayContaining(['agent-01@demo', 'agent-02@demo']));

    const late = await observe(broker.url, 'agents/+/state');
    for (const id of ['agent-01', 'agent-02']) {
      const message = await late.waitFor(stateOf(id));
      expect(message.retain).toBe(true);
      expect(agentStateSchema.parse(message.json).status).toBe('idle');
    }
  });

  it('kill() drops the connection so the broker publishes the offline will', async () => {
    const { broker, fleet } = await start();
    const observer = await observe(broker.url, 'agents/+/state');
    await observer.waitFor(stateOf('agent-01'));
    const from = observer.mark();

    fleet.kill('agent-01');

    const will = await observer.waitFor(stateOf('agent-01', 'offline'), from);
    expect(agentStateSchema.parse(will.json)).toEqual({
      status: 'offline',
      updatedAt: expect.any(Number),
    });
    expect(observer.received.slice(from).some(stateOf('agent-02', 'offline'))).toBe(false);
    expect(() => fleet.kill('agent-77')).toThrow(/no agent "agent-77"/);
  });

  it('stop() disconnects cleanly: the will does not fire and the state stays', async () => {
    const { broker, fleet } = await start();
    const observer = await observe(broker.url, 'agents/+/state');
    await observer.waitFor(stateOf('agent-02'));

    await fleet.stop();
    await waitUntil(() => broker.broker.connectedClients === 1); // the observer alone
    await sleep(100); // a will, had one fired, would be routed by now

    expect(observer.received.some(({ json }) => JSON.stringify(json).includes('offline'))).toBe(
      false,
    );
    const late = await observe(broker.url, 'agents/+/state');
    const retained = await late.waitFor(stateOf('agent-01'));
    expect(agentStateSchema.parse(retained.json).status).toBe('idle');
  });

  it('sends notifications through the notifier service user', async () => {
    const { broker } = await start({
      count: 1,
      notifier: { username: 'notifier', password: 'pw', recipients: ['alice', 'bob'] },
      notifyEveryMs: 20,
    });
    expect(broker.usernames).toContain('notifier@demo');
    const observer = await observe(broker.url, 'notifications/+');
    for (const user of ['alice', 'bob']) {
      const message = await observer.waitFor(({ topic }) => topic === `notifications/${user}`);
      expect(notificationSchema.parse(message.json)).toMatchObject({ title: 'Status of agent-01' });
    }
  });

  it('starts without an agent whose credentials are refused: it says so once and stays stopped', async () => {
    broker = await startBroker((username) => username !== 'agent-02@demo');
    const warnings: string[] = [];
    fleet = await startAgentFleet({
      url: broker.url,
      count: 3,
      password: () => 'secret',
      tickMs: SLOW_TICK_MS,
      logger: quiet,
      warn: (line) => warnings.push(line),
      reconnectPeriodMs: RECONNECT_PERIOD_MS,
    });
    await sleep(WATCH_MS);

    expect(fleet.agents.map((agent) => [agent.id, agent.connected])).toEqual([
      ['agent-01', true],
      ['agent-03', true],
    ]);
    expect(fleet.refused).toEqual(['agent-02']);
    expect(broker.usernames.filter((name) => name === 'agent-02@demo')).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(/^agent-02@demo: .*Not authorized/)]);
  });

  it('runs nothing, not even the notifier, when every agent is refused', async () => {
    broker = await startBroker((username) => username === 'notifier@demo');
    fleet = await startAgentFleet({
      url: broker.url,
      count: 2,
      password: () => 'secret',
      notifier: { username: 'notifier', password: 'pw', recipients: ['alice'] },
      tickMs: SLOW_TICK_MS,
      logger: quiet,
    });

    expect(fleet.agents).toEqual([]);
    expect(fleet.refused).toEqual(['agent-01', 'agent-02']);
    expect(broker.usernames).not.toContain('notifier@demo');
  });

  it('stop() while a CONNECT is unanswered ends the agent for good', async () => {
    // A broker that takes connections and never answers them.
    const sockets: Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const agent = new SimulatedAgent({
        id: 'agent-01',
        url: `mqtt://127.0.0.1:${port}`,
        org: 'demo',
        password: 'secret',
        tickMs: SLOW_TICK_MS,
        random: () => 0.5,
        log: quiet,
        reconnectPeriodMs: RECONNECT_PERIOD_MS,
      });
      void agent.start().catch(() => undefined); // never settles: no CONNACK comes
      await waitUntil(() => sockets.length === 1);

      await agent.stop();
      await sleep(WATCH_MS);

      expect(sockets).toHaveLength(1); // mqtt.js would otherwise reconnect after a period
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('waits out a broker that answers "server unavailable", then starts', async () => {
    let refusals = 0;
    broker = await startBroker(() => (refusals++ === 0 ? 'unavailable' : true));
    fleet = await startAgentFleet({
      url: broker.url,
      count: 1,
      password: () => 'secret',
      tickMs: SLOW_TICK_MS,
      logger: quiet,
    });
    expect(broker.usernames).toEqual(['agent-01@demo', 'agent-01@demo']);
    expect(fleet.agents[0]!.connected).toBe(true);
  });

  it('refuses a count outside 1…99', async () => {
    await expect(start({ count: 0 })).rejects.toThrow(RangeError);
  });
});
