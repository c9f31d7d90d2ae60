import { afterEach, describe, expect, it } from 'vitest';
import { startAgentFleet, type AgentFleet } from '../../src/agents/agent-fleet';
import { SimulatedAgent } from '../../src/agents/simulated-agent';
import { sleep, startBroker, type TestBroker } from './broker';

// An admin resets the password of (or removes) a running agent: the broker closes its
// connection and refuses the old password from then on. Retrying it changes nothing, and
// each try counts against the sign-in throttle of the agent's address.

const SLOW_TICK_MS = 60_000; // no tick during the test
const RECONNECT_PERIOD_MS = 50; // so a test sees many periods in a second
const WATCH_MS = 1_500; // ≥ 30 reconnect periods
const quiet = () => undefined;

/** A broker that accepts `<username>` with the password `current.password` only. */
async function brokerWithPassword(username: string, current: { password: string }) {
  return startBroker((name, password) =>
    name !== username || password === current.password ? true : 'bad-password',
  );
}

const attemptsOf = (broker: TestBroker, username: string) =>
  broker.usernames.filter((name) => name === username).length;

describe('a simulated agent whose credentials are refused', () => {
  let broker: TestBroker | undefined;
  let agent: SimulatedAgent | undefined;
  let fleet: AgentFleet | undefined;

  afterEach(async () => {
    await agent?.stop();
    await fleet?.stop();
    await broker?.close();
    agent = fleet = broker = undefined;
  });

  const startAgent = async (url: string, warn: (line: string) => void) => {
    agent = new SimulatedAgent({
      id: 'agent-01',
      url,
      org: 'demo',
      password: 'old-password',
      tickMs: SLOW_TICK_MS,
      random: () => 0.5,
      log: quiet,
      warn,
      reconnectPeriodMs: RECONNECT_PERIOD_MS,
    });
    await agent.start();
    return agent;
  };

  it('stops reconnecting after the refusal, and says once which agent stopped and why', async () => {
    const current = { password: 'old-password' };
    broker = await brokerWithPassword('agent-01@demo', current);
    const warnings: string[] = [];
    const agent = await startAgent(broker.url, (line) => warnings.push(line));
    expect(agent.connected).toBe(true);

    current.password = 'new-password'; // the reset
    const before = attemptsOf(broker, 'agent-01@demo');
    broker.disconnect('agent-01@demo');
    await sleep(WATCH_MS);

    expect(attemptsOf(broker, 'agent-01@demo') - before).toBe(1);
    expect(agent.connected).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/agent-01@demo/);
    expect(warnings[0]).toMatch(/Bad username or password/);
    expect(warnings[0]).toMatch(/stopped reconnecting/);
    expect(warnings[0]).toMatch(/restart it with valid credentials/i);
  });

  it('keeps retrying "server unavailable" (a throttled address), waiting twice as long each time', async () => {
    let busy = 0;
    const times: number[] = [];
    broker = await startBroker(() => {
      times.push(Date.now());
      return busy > 0 ? (busy--, 'unavailable') : true;
    });
    const warnings: string[] = [];
    const agent = await startAgent(broker.url, (line) => warnings.push(line));
    const from = times.length;

    busy = 3;
    broker.disconnect('agent-01@demo');
    for (let waited = 0; waited < 5_000 && !(busy === 0 && agent.connected); waited += 25) {
      await sleep(25);
    }

    const attempts = times.slice(from);
    expect(attempts).toHaveLength(4); // three refused, then accepted
    expect(agent.connected).toBe(true);
    // Waits of 2, 4 and 8 periods after the refusals (a timer never fires early, so this
    // holds however loaded the machine is).
    expect(attempts[3]! - attempts[0]!).toBeGreaterThanOrEqual(
      (2 + 4 + 8) * RECONNECT_PERIOD_MS - 5,
    );
    expect(warnings).toEqual([]);
  });

  it('stops the notifier too, and leaves the agents running', async () => {
    const current = { password: 'old-password' };
    broker = await brokerWithPassword('notifier@demo', current);
    const warnings: string[] = [];
    fleet = await startAgentFleet({
      url: broker.url,
      count: 1,
      password: () => 'agent-password',
      notifier: { username: 'notifier', password: 'old-password', recipients: ['alice'] },
      tickMs: SLOW_TICK_MS,
      reconnectPeriodMs: RECONNECT_PERIOD_MS,
      logger: quiet,
      warn: (line) => warnings.push(line),
    });

    current.password = 'new-password';
    const before = attemptsOf(broker, 'notifier@demo');
    broker.disconnect('notifier@demo');
    await sleep(WATCH_MS);

    expect(attemptsOf(broker, 'notifier@demo') - before).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/notifier@demo.*stopped reconnecting/)]);
    expect(fleet.agents[0]!.connected).toBe(true);
  });
});
