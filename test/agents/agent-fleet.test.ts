import { afterEach, describe, expect, it } from 'vitest';
import { startAgentFleet, type AgentFleet } from '../../src/agents/agent-fleet';
import { agentStateSchema, notificationSchema } from '../../src/shared/schemas';
import { agentStateTopic } from '../../src/shared/topics';
import { Observer, sleep, startBroker, type Received, type TestBroker } from './broker';

const SLOW_TICK_MS = 60_000; // no tick during the test: only the state published on connect
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

  it('rejects, and disconnects the agents it started, when credentials are refused', async () => {
    broker = await startBroker((username) => username !== 'agent-02@demo');
    const starting = startAgentFleet({
      url: broker.url,
      count: 2,
      password: () => 'secret',
      tickMs: SLOW_TICK_MS,
      logger: quiet,
    });
    await expect(starting).rejects.toThrow(/Not authorized/);
    const { broker: aedes } = broker;
    await waitUntil(() => aedes.connectedClients === 0);
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
