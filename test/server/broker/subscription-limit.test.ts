import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS_PER_CLIENT } from '../../../src/server/broker/subscription-limit';
import { captureLog } from '../support/captured-log';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// Each filter a connection holds is matched against every message of its org, and a QoS 2
// delivery walks them all (authorize-forward.ts): a connection holds at most
// MAX_SUBSCRIPTIONS_PER_CLIENT; past that SUBACK refuses (0x80) the filter, and the log
// says so once.

const { logger, events } = captureLog(); // the server's log, as objects
const t = useTestServer({ logger });
afterEach(() => {
  events.length = 0;
});

const rooms = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `chat/r${from + i}/messages`);
const tooMany = () =>
  events.filter((e) => e.event === 'subscribe_denied' && e.code === 'too_many_subscriptions');

describe('filters a connection may hold', () => {
  it('refuses those past the limit, across SUBSCRIBEs, and takes more once some are left', async () => {
    const alice = await t.member('alice');
    const first = await subscribeGrants(alice, rooms(0, MAX_SUBSCRIPTIONS_PER_CLIENT - 2), 1);
    expect(first.every((qos) => qos === 1)).toBe(true);
    // One already held, asked for again (another QoS), counts once.
    const second = await subscribeGrants(alice, [...rooms(0, 1), ...rooms(5000, 4)], 0);
    expect(second).toEqual([0, 0, 0, 128, 128]);
    expect(tooMany()).toHaveLength(1);
    expect(tooMany()[0]).toMatchObject({ org: 'demo', user: 'alice' });

    await alice.unsubscribeAsync(rooms(0, 2));
    const general = 'chat/general/messages';
    expect(await subscribeGrants(alice, [general, ...rooms(6000, 2)], 1)).toEqual([1, 1, 128]);
    expect(tooMany()).toHaveLength(1); // once a connection

    // What it holds still delivers.
    const seen = record(alice);
    const bob = await t.member('bob');
    await bob.publishAsync(
      general,
      json({ id: 'lim-1', from: 'bob', text: 'still here', sentAt: Date.now() }),
      { qos: 1 },
    );
    await waitForMessage(seen, (m) => m.topic === general);
  });

  it('is per connection: another connection of the same user starts afresh', async () => {
    const full = await t.member('alice');
    await subscribeGrants(full, rooms(0, MAX_SUBSCRIPTIONS_PER_CLIENT), 1);
    expect(await subscribeGrants(full, rooms(9000, 1), 1)).toEqual([128]);
    const device = await connect(t.server.mqttUrl, {
      username: 'alice@demo',
      password: DEMO_PASSWORD,
      clientId: 'alice-limit-2',
    });
    t.open.push(device);
    expect(await subscribeGrants(device, rooms(9000, 1), 1)).toEqual([1]);
  });
});
