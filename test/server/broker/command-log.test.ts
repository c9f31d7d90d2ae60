import { randomUUID } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentCommandLog } from '../../../src/shared/agent-commands-api';
import { signInRequest } from '../http/test-api';
import { captureLog } from '../support/captured-log';
import { eventually } from '../support/eventually';
import {
  connect,
  json,
  record,
  subscribeGrants,
  waitForMessage,
  type ReceivedMessage,
} from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// The broker records what it routes to an agent's inbox, and the agent's replies, into the
// agent's command log (record-history.ts), as it accepts them: refused publishes are not.
// A command is kept once per id, as a chat message is (kept-ids.test.ts): the same command
// again is acknowledged and not routed twice; another one under a kept id is acknowledged
// [MQTT-3.3.5-2], routed to no agent and logged as refused, or the log would hide it and
// show the agent's replies to it as the first one's. Only agents' commands are logged.

const { logger, events } = captureLog(); // the server's log, as objects
const t = useTestServer({
  logger,
  setup: async (server) => {
    const { users } = server.storage;
    // Another org, with a member and an agent of the same names (tokens need no password).
    users.addOrg('acme');
    users.addUser({ org: 'acme', user: 'alice', role: 'member', passwordHash: 'x' });
    users.addUser({ org: 'acme', user: AGENT, role: 'agent', passwordHash: 'x' });
    users.addUser({ org: 'demo', user: 'mallory', role: 'member', passwordHash: 'x' });
    // One who may read every inbox: sees what is routed to an id that is no agent.
    users.addUser({ org: 'demo', user: 'watcher', role: 'member', passwordHash: 'x' });
    users.setExtraRules('demo', 'watcher', [
      { permission: 'allow', action: 'subscribe', topic: 'agents/+/inbox' },
    ]);
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
async function agent(name = AGENT, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await connect(t.server.mqttUrl, {
    username: `${name}@demo`,
    password: DEMO_PASSWORD,
    clientId: `${name}-${randomUUID().slice(0, 8)}`,
    ...options,
  });
  t.open.push(client);
  return client;
}

const logOf = (org = 'demo', agentId = AGENT) =>
  t.server.storage.agentCommands.page(org, agentId, { limit: 200 }).commands;
const loggedIds = (org = 'demo', agentId = AGENT) => logOf(org, agentId).map((c) => c.id);
const denied = (code: string, topic: string) =>
  events.some((e) => e.event === 'publish_denied' && e.code === code && e.topic === topic);
const refusals = () => events.filter((e) => e.event === 'publish_denied');

/** agent-01, connected and reading its inbox: what it receives. */
async function listeningAgent() {
  const client = await agent();
  const inbox = record(client);
  await subscribeGrants(client, [INBOX]);
  return { client, inbox };
}

/** The commands of `id` the agent has received. */
const received = (inbox: ReceivedMessage[], id: string) =>
  inbox.flatMap((m) => {
    const sent = JSON.parse(m.payload) as { id: string; command: string; from: string };
    return sent.id === id ? [sent] : [];
  });

/** alice sends one more command; resolves once the agent has it (all before have been handled). */
async function sentinel(inbox: ReceivedMessage[]) {
  const alice = await t.member('alice');
  const last = command({ command: 'ping' });
  await alice.publishAsync(INBOX, json(last), { qos: 1 });
  await waitForMessage(inbox, (m) => m.payload.includes(last.id));
}

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
    expect(logOf()).toContainEqual({
      id: sent.id,
      command: 'pause',
      from: 'alice',
      sentAt: expect.any(Number),
      hasArgs: true, // its args are the agent's alone
      replies: [],
    });
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

describe('a command under an id its agent’s log holds', () => {
  it.each([
    ['from another sender', 'mallory', { command: 'cancel' }],
    ['from its own sender with other args', 'alice', { args: { task: 7 } }],
  ] as const)(
    '%s: acknowledged, routed to no agent, refused in the log; the replies stay the first’s',
    async (_case, sender, change) => {
      const { client: agent01, inbox } = await listeningAgent();
      const alice = await t.member('alice');
      const ping = command({ command: 'ping' });
      await alice.publishAsync(INBOX, json(ping), { qos: 1 });
      await waitForMessage(inbox, (m) => m.payload.includes(ping.id));

      // Its id, as the log lists it to anyone who may read the agent's replies.
      const [listed] = logOf().filter((c) => c.id === ping.id);
      const reuser = await t.member(sender);
      const reused = { ...command({ id: listed!.id, from: sender }), ...change };
      await reuser.publishAsync(INBOX, json(reused), { qos: 1 }); // acknowledged
      await sentinel(inbox);

      expect(received(inbox, ping.id)).toEqual([ping]);
      expect(reuser.connected).toBe(true);
      expect(refusals()).toEqual([
        expect.objectContaining({
          level: 40,
          code: 'id_taken',
          topic: INBOX,
          org: 'demo',
          user: sender,
          msg: `the command log of "${AGENT}" holds another command with id "${ping.id}"`,
        }),
      ]);
      // The agent answers the one command it got under that id: the log says so.
      await agent01.publishAsync(
        REPLIES,
        json({ commandId: ping.id, status: 'done', detail: 'pong' }),
        { qos: 1 },
      );
      expect(logOf().filter((c) => c.id === ping.id)).toEqual([
        {
          id: ping.id,
          command: 'ping',
          from: 'alice',
          sentAt: expect.any(Number),
          replies: [{ status: 'done', detail: 'pong', receivedAt: expect.any(Number) }],
        },
      ]);
    },
  );

  it('that is the same command again (a resend): acknowledged, routed once, not refused', async () => {
    const { inbox } = await listeningAgent();
    const alice = await t.member('alice');
    const sent = command({ args: { reason: 'maintenance' } });
    await alice.publishAsync(INBOX, json(sent), { qos: 1 });
    await alice.publishAsync(INBOX, json(sent), { qos: 1 }); // its PUBACK lost, say
    await alice.publishAsync(INBOX, json(sent), { qos: 0 });
    await sentinel(inbox);
    expect(received(inbox, sent.id)).toEqual([sent]);
    expect(refusals()).toEqual([]);
    expect(logOf().filter((c) => c.id === sent.id)).toEqual([
      {
        id: sent.id,
        command: 'pause',
        from: 'alice',
        sentAt: expect.any(Number),
        hasArgs: true,
        replies: [],
      },
    ]);
  });

  it('armed as a Last Will: each firing is a command of its own, under an id of its own', async () => {
    const { inbox } = await listeningAgent();
    const clientId = `alice-${randomUUID().slice(0, 8)}`;
    const armed = command({ command: 'cancel' });
    const will = {
      topic: INBOX,
      payload: Buffer.from(json(armed)),
      qos: 1 as const,
      retain: false,
    };
    const fired = () => inbox.filter((m) => m.payload.includes(armed.id));
    for (const drop of [1, 2]) {
      const alice = await t.member('alice', { clientId, will });
      alice.stream.destroy(); // no DISCONNECT: the will fires
      await eventually(() => fired().length === drop, 2_000, `will ${drop}`);
    }
    const ids = fired().map((m) => (JSON.parse(m.payload) as { id: string }).id);
    for (const id of ids) expect(id).toMatch(new RegExp(`^${armed.id}~[0-9a-z]+$`));
    expect(new Set(ids).size).toBe(2);
    expect(
      loggedIds()
        .filter((id) => id.startsWith(armed.id))
        .sort(),
    ).toEqual([...ids].sort());
    expect(refusals()).toEqual([]);
  });
});

describe('an agent that goes offline after accepting a command, before finishing it', () => {
  const STATE = `agents/${AGENT}/state`;
  const offline = () => json({ status: 'offline', updatedAt: Date.now() });

  /** agent-01 accepts one command and finishes another; their ids. */
  async function acceptOneFinishOther(options: IClientOptions = {}) {
    const client = await agent(AGENT, options);
    const inbox = record(client);
    await subscribeGrants(client, [INBOX]);
    const alice = await t.member('alice');
    const [unfinished, finished] = [command(), command({ command: 'ping' })];
    for (const sent of [unfinished, finished]) {
      await alice.publishAsync(INBOX, json(sent), { qos: 1 });
      await waitForMessage(inbox, (m) => m.payload.includes(sent.id));
      await client.publishAsync(REPLIES, json({ commandId: sent.id, status: 'accepted' }), {
        qos: 1,
      });
    }
    await client.publishAsync(REPLIES, json({ commandId: finished.id, status: 'done' }), {
      qos: 1,
    });
    return { client, unfinished: unfinished.id, finished: finished.id };
  }

  /** The agent's log as GET /api/agents/:agent/commands serves it to alice. */
  async function served() {
    const { http } = t.server;
    const signedIn = await http.inject(signInRequest('alice@demo', DEMO_PASSWORD));
    const cookie = signedIn.cookies.find((c) => c.name === 'sb_session');
    const res = await http.inject({
      method: 'GET',
      url: `/api/agents/${AGENT}/commands?limit=200`,
      headers: { cookie: `sb_session=${cookie?.value ?? ''}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<AgentCommandLog>().commands;
  }

  it('its Last Will marks the command it accepted in the log, and the API serves when', async () => {
    const will = { topic: STATE, payload: Buffer.from(offline()), qos: 1 as const, retain: true };
    const { client, unfinished, finished } = await acceptOneFinishOther({ will });
    expect(logOf().find((c) => c.id === unfinished)?.agentLeftAt).toBeUndefined();
    const before = Date.now();
    client.stream.destroy(); // no DISCONNECT: the will fires
    await eventually(() => logOf().find((c) => c.id === unfinished)?.agentLeftAt !== undefined);

    const commands = await served();
    const left = commands.find((c) => c.id === unfinished);
    expect(left?.agentLeftAt).toBeGreaterThanOrEqual(before);
    expect(left?.agentLeftAt).toBeGreaterThanOrEqual(left?.replies[0]?.receivedAt ?? Infinity);
    // Done before it left: not marked.
    expect(commands.find((c) => c.id === finished)).not.toHaveProperty('agentLeftAt');
  });

  it('so does its own offline state, live; its other states mark nothing', async () => {
    const { client, unfinished, finished } = await acceptOneFinishOther();
    await client.publishAsync(STATE, json({ status: 'idle', updatedAt: Date.now() }), {
      qos: 1,
      retain: true,
    });
    expect(logOf().find((c) => c.id === unfinished)).not.toHaveProperty('agentLeftAt');
    await client.publishAsync(STATE, offline(), { qos: 1, retain: true });
    const commands = await served();
    expect(commands.find((c) => c.id === unfinished)?.agentLeftAt).toEqual(expect.any(Number));
    expect(commands.find((c) => c.id === finished)).not.toHaveProperty('agentLeftAt');
  });
});

describe('a command to an id that is no agent of the org', () => {
  it('is routed as before, and not logged: made-up ids fill no disk', async () => {
    const watcher = await t.member('watcher');
    const seen = record(watcher);
    await subscribeGrants(watcher, ['agents/+/inbox']);
    const alice = await t.member('alice');
    const acmeAlice = await t.member('alice', { org: 'acme' });
    const sent = [
      ['made-up-1', command()],
      ['bob', command()], // a member, not an agent
    ] as const;
    for (const [id, payload] of sent) {
      await alice.publishAsync(`agents/${id}/inbox`, json(payload), { qos: 1 });
      await waitForMessage(seen, (m) => m.payload.includes(payload.id));
      expect(logOf('demo', id)).toEqual([]);
    }
    // agent-02 is an agent of demo, not of acme.
    await acmeAlice.publishAsync('agents/agent-02/inbox', json(command()), { qos: 1 });
    const kept = command();
    await alice.publishAsync('agents/agent-02/inbox', json(kept), { qos: 1 });
    expect(logOf('acme', 'agent-02')).toEqual([]);
    expect(loggedIds('demo', 'agent-02')).toContain(kept.id);
    expect(refusals()).toEqual([]);
  });
});
