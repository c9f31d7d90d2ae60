import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { captureLog } from '../support/captured-log';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// What the broker accepts on agents/<id>/state: an updatedAt not ahead of its clock
// (check-state-time.ts), however old; the board ages states by it.

const DAY = 86_400_000;

const { logger, events } = captureLog();
const t = useTestServer({
  logger,
  async setup(server) {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    server.storage.users.addUser({ org: 'demo', user: 'agent-07', role: 'agent', passwordHash });
  },
});
afterEach(() => {
  events.length = 0;
});

async function agent() {
  const client = await connect(t.server.mqttUrl, {
    username: 'agent-07@demo',
    password: DEMO_PASSWORD,
    clientId: 'agent-07',
  });
  t.open.push(client);
  return client;
}

/**
 * The agent retains a state stamped `updatedAt`, then sends a sentinel not retained; resolves
 * with what alice saw live by the sentinel, and what bob, subscribing after, got retained.
 */
async function retainThenSentinel(updatedAt: number) {
  const alice = await t.member('alice');
  const seen = record(alice);
  await subscribeGrants(alice, ['agents/+/state']);
  const sender = await agent();
  const state = json({ status: 'working', task: 'checked', updatedAt });
  await sender.publishAsync('agents/agent-07/state', state, { qos: 1, retain: true });
  const sentinel = json({ status: 'idle', task: 'sentinel', updatedAt: Date.now() });
  await sender.publishAsync('agents/agent-07/state', sentinel, { qos: 1 });
  await waitForMessage(seen, (m) => m.payload === sentinel);
  expect(sender.connected).toBe(true);

  const bob = await t.member('bob');
  const later = record(bob);
  await subscribeGrants(bob, ['agents/+/state']);
  const alsoSeen = record(alice);
  await sender.publishAsync('agents/agent-07/state', sentinel, { qos: 1 });
  await waitForMessage(alsoSeen, (m) => m.payload === sentinel);
  return { seen: seen.map((m) => m.payload), retained: later.map((m) => m.payload), state };
}

describe('an agent state’s updatedAt', () => {
  it('in 2100: refused, delivered to nobody, not retained, logged; the agent stays connected', async () => {
    const { seen, retained, state } = await retainThenSentinel(Date.UTC(2100, 0, 1));
    expect(seen).not.toContain(state);
    expect(retained).not.toContain(state);
    expect(
      events.some(
        (e) =>
          e.event === 'publish_denied' &&
          e.code === 'updated_at_ahead' &&
          e.topic === 'agents/agent-07/state' &&
          e.user === 'agent-07',
      ),
    ).toBe(true);
  });

  it('a week old (the state last changed then): delivered', async () => {
    const { seen, retained, state } = await retainThenSentinel(Date.now() - 7 * DAY);
    expect(seen).toContain(state);
    expect(retained).toContain(state);
  });
});
