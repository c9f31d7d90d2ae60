import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../support/captured-log';
import { eventually } from '../support/eventually';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// The broker records what it routes to an agent's inbox, and the agent's replies, into the
// agent's command log (record-history.ts), as it accepts them: refused publishes are not.

const { logger, events } = captureLog(); // the server's log, as objects
const t = useTestServer({
  logger,
  setup: async (server) => {
    // Another org, with a member of the same name (tokens need no password).
    server.storage.users.addOrg('acme');
    server.storage.users.addUser({ org: 'acme', user: 'alice', role: 'member', passwordHash: 'x' });
  },
});
afterEach(() => {
  events.length = 0;
});

const AGENT = 'agent-01';
const INBOX = `agents/${AGENT}/inbox`;
const REPLIES = `agents/${AGENT}/replies`;

const command = (extra: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  command: 'pause',
  from: 'alice',
  ...extra,
});

/** The demo org's agent-01, as a simulated agent connects (password, TCP). */
async function agent(name = AGENT): Promise<MqttClient> {
  const client = await connect(t.server.mqttUrl, {
    username: `${name}@demo`,
    password: DEMO_PASSWORD,
    clientId: `${name}-${randomUUID().slice(0, 8)}`,
  });
  t.open.push(client);
  return client;
}

const logOf = (org = 'demo', agentId = AGENT) =>
  t.server.storage.agentCommands.page(org, agentId, { limit: 200 }).commands;
const loggedIds = (org = 'demo', agentId = AGENT) => logOf(org, agentId).map((c) => c.id);
const denied = (code: string, topic: string) =>
  events.some((e) => e.event === 'publish_denied' && e.code === code && e.topic === topic);

describe('an agent’s command log', () => {
  it('holds a command once its PUBACK is back, and the agent’s replies to it', async () => {
    const agent01 = await agent();
    const inbox = record(agent01);
    await subscribeGrants(agent01, [INBOX]);
    const alice = await t.member('alice');
    const sent = command({ args: { reason: 'maintenance' } });
    const before = Date.now();
    await alice.publishAsync(INBOX, json(sent), { qos: 1 });
    // Recorded before its PUBACK left.
    expect(logOf()).toContainEqual({ ...sent, sentAt: expect.any(Number), replies: [] });
    const [logged] = logOf().filter((c) => c.id === sent.id);
    expect(logged?.sentAt).toBeGreaterThanOrEqual(before);

    await waitForMessage(inbox, (m) => m.payload.includes(sent.id));
    await agent01.publishAsync(REPLIES, json({ commandId: sent.id, status: 'accepted' }), {
      qos: 1,
    });
    await agent01.publishAsync(
      REPLIES,
      json({ commandId: sent.id, status: 'done', detail: 'paused' }),
      { qos: 1 },
    );
    expect(logOf().find((c) => c.id === sent.id)?.replies).toEqual([
      { status: 'accepted', receivedAt: expect.any(Number) },
      { status: 'done', detail: 'paused', receivedAt: expect.any(Number) },
    ]);
  });

  it('holds a command sent at QoS 0 or 2 too, once, however often it is sent', async () => {
    const alice = await t.member('alice');
    const atMostOnce = command();
    const exactlyOnce = command({ command: 'resume' });
    await alice.publishAsync(INBOX, json(atMostOnce), { qos: 0 });
    await alice.publishAsync(INBOX, json(exactlyOnce), { qos: 2 });
    await alice.publishAsync(INBOX, json(exactlyOnce), { qos: 1 }); // the same command again
    await eventually(() => loggedIds().includes(atMostOnce.id));
    expect(loggedIds().filter((id) => id === exactlyOnce.id)).toEqual([exactlyOnce.id]);
  });

  it('holds nothing the broker refused: a sender not the publisher, a reply not the agent’s, a bad payload', async () => {
    const alice = await t.member('alice');
    const agent02 = await agent('agent-02');
    const agent01 = await agent();
    const impostor = command({ from: 'bob' });
    await alice.publishAsync(INBOX, json(impostor), { qos: 1 }); // acknowledged [MQTT-3.3.5-2]
    await alice.publishAsync(INBOX, json({ id: randomUUID(), command: '', from: 'alice' }), {
      qos: 1,
    });
    const kept = command();
    await alice.publishAsync(INBOX, json(kept), { qos: 1 });
    // Replies to a kept command, by those who may not give them.
    await alice.publishAsync(REPLIES, json({ commandId: kept.id, status: 'done' }), { qos: 1 });
    await agent02.publishAsync(REPLIES, json({ commandId: kept.id, status: 'failed' }), {
      qos: 1,
    });
    // Its own reply last: once it is in, the refused ones before it have been handled.
    await agent01.publishAsync(REPLIES, json({ commandId: kept.id, status: 'accepted' }), {
      qos: 1,
    });

    expect(loggedIds()).toContain(kept.id);
    expect(loggedIds()).not.toContain(impostor.id);
    expect(
      logOf()
        .find((c) => c.id === kept.id)
        ?.replies.map((r) => r.status),
    ).toEqual(['accepted']);
    expect(denied('sender_mismatch', INBOX)).toBe(true);
    expect(denied('payload_invalid', INBOX)).toBe(true);
    expect(denied('acl_denied', REPLIES)).toBe(true);
    expect(events.filter((e) => e.event === 'publish_denied' && e.topic === REPLIES)).toHaveLength(
      2,
    );
  });

  it('is each org’s own', async () => {
    const demoAlice = await t.member('alice');
    const acmeAlice = await t.member('alice', { org: 'acme' });
    const demoCommand = command();
    const acmeCommand = command();
    await demoAlice.publishAsync(INBOX, json(demoCommand), { qos: 1 });
    await acmeAlice.publishAsync(INBOX, json(acmeCommand), { qos: 1 });
    expect(loggedIds('acme')).toEqual([acmeCommand.id]);
    expect(loggedIds()).toContain(demoCommand.id);
    expect(loggedIds()).not.toContain(acmeCommand.id);
  });
});
