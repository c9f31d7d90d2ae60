import { afterEach, describe, expect, it } from 'vitest';
import { REFUSALS_LOGGED_PER_WINDOW } from '../../../src/server/broker/refusal-log-budget';
import { captureLog } from '../support/captured-log';
import { eventually } from '../support/eventually';
import { json, subscribeGrants } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';

// A refused filter or publish is logged with its reason, but not one line each without
// bound: one SUBSCRIBE of refused filters wrote a line per filter (refusal-log-budget.ts).

const { logger, events } = captureLog(); // the server's log, as objects
const t = useTestServer({ logger });
afterEach(() => {
  events.length = 0;
});

const linesOf = (event: string, user: string) =>
  events.filter((line) => line.event === event && line.user === user);

describe('refusals in the log', () => {
  it('are bounded per user, and another user’s are still logged', async () => {
    const alice = await t.member('alice');
    const refused = Array.from({ length: 300 }, (_, i) => `notifications/someone-${i}`);
    const granted = await subscribeGrants(alice, refused, 1);
    expect(granted.every((qos) => qos === 128)).toBe(true);
    expect(linesOf('subscribe_denied', 'alice')).toHaveLength(REFUSALS_LOGGED_PER_WINDOW);

    // Publishes share the same budget: alice's are left out now, bob's are not.
    const bob = await t.member('bob');
    for (const client of [alice, bob]) {
      await client.publishAsync('notifications/carol', json({ title: 'x' }), { qos: 1 });
    }
    await eventually(
      () => linesOf('publish_denied', 'bob').length === 1,
      5_000,
      'bob’s refusal logged',
    );
    expect(linesOf('publish_denied', 'alice')).toEqual([]);
  });
});
