import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
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
import { DEMO_PASSWORD, startTestServer } from '../support/test-server';

// A publish that waits on disk (a retained one, or QoS 1 with a persistent subscriber) is
// emitted after a quicker one that arrived later. Every subscriber must still get both,
// each publisher's messages in order, and the last retained value must be the one kept.

const ROUNDS = 50;
const fixture = useTestServer();
const { open } = fixture;

const generate = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);

/** agent-01 on a raw TCP socket, so that a whole burst of publishes leaves in one write. */
async function rawAgent(): Promise<net.Socket> {
  const url = new URL(fixture.server.mqttUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('data', () => resolve()); // the CONNACK
    socket.write(
      generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'agent-01-raw',
        keepalive: 30,
        username: 'agent-01@demo',
        password: Buffer.from(DEMO_PASSWORD),
      }),
    );
  });
  return socket;
}

/** Each round: a state (QoS and retain as given), then a QoS 0 reply. */
function burst(state: { qos: 0 | 1; retain: boolean }): Buffer {
  const packets: Buffer[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    packets.push(
      generate({
        cmd: 'publish',
        topic: 'agents/agent-01/state',
        payload: json({ status: 'working', progress: i, updatedAt: Date.now() }),
        ...state,
        ...(state.qos > 0 ? { messageId: i + 1 } : {}),
      }),
      generate({
        cmd: 'publish',
        topic: 'agents/agent-01/replies',
        payload: json({ commandId: `c${i}`, status: 'done' }),
        qos: 0,
        retain: false,
      }),
    );
  }
  return Buffer.concat(packets);
}

async function viewer(clientId: string, qos: 0 | 1, clean = true) {
  const client = await connect(fixture.server.mqttUrl, {
    username: 'alice@demo',
    password: DEMO_PASSWORD,
    clientId,
    clean,
  });
  open.push(client);
  const seen = record(client); // before subscribing: the retained states may come with the SUBACK
  await subscribeGrants(client, ['agents/+/state', 'agents/+/replies'], qos);
  return { client, seen };
}

/** The progress of each live state (the one retained from before, sent on SUBSCRIBE, aside). */
const progressOf = (messages: ReceivedMessage[]) =>
  messages
    .filter((m) => m.topic === 'agents/agent-01/state' && !m.retain)
    .map((m) => (JSON.parse(m.payload) as { progress: number }).progress);
const repliesIn = (messages: ReceivedMessage[]) =>
  messages.filter((m) => m.topic === 'agents/agent-01/replies').length;
const inOrder = Array.from({ length: ROUNDS }, (_, i) => i);

describe('delivery order', () => {
  it('delivers every retained state of a burst, in order, though replies overtake them', async () => {
    const { seen } = await viewer('order-retained', 0);
    const agent = await rawAgent();
    agent.write(burst({ qos: 0, retain: true }));
    await eventually(() => progressOf(seen).length + repliesIn(seen) >= ROUNDS * 2, 5_000).catch(
      () => {},
    );
    agent.destroy();
    expect(repliesIn(seen)).toBe(ROUNDS);
    expect(progressOf(seen)).toEqual(inOrder);

    // The last state is the one retained, for a new subscriber…
    const late = await viewer('order-late', 0);
    const retained = await waitForMessage(late.seen, (m) => m.topic === 'agents/agent-01/state');
    expect(JSON.parse(retained.payload)).toMatchObject({ progress: ROUNDS - 1 });

    // …and after a restart on the same data dir.
    await Promise.all(open.splice(0).map((client) => client.endAsync()));
    await fixture.server.close();
    fixture.server = await startTestServer({ dataDir: fixture.server.config.dataDir });
    const afterRestart = await viewer('order-restarted', 0);
    const kept = await waitForMessage(
      afterRestart.seen,
      (m) => m.topic === 'agents/agent-01/state' && m.retain,
    );
    expect(JSON.parse(kept.payload)).toMatchObject({ progress: ROUNDS - 1 });
  });

  it('delivers a publisher’s QoS 1 messages in order to a persistent subscriber', async () => {
    const { seen } = await viewer('order-persistent', 1, false);
    const agent = await rawAgent();
    agent.write(burst({ qos: 1, retain: false }));
    await eventually(() => progressOf(seen).length + repliesIn(seen) >= ROUNDS * 2, 5_000).catch(
      () => {},
    );
    agent.destroy();
    expect(repliesIn(seen)).toBe(ROUNDS);
    expect(progressOf(seen)).toEqual(inOrder);
  });

  it('delivers a message matched by two of a client’s subscriptions once', async () => {
    const watcher = await connect(fixture.server.mqttUrl, {
      username: 'notifier@demo',
      password: DEMO_PASSWORD,
      clientId: 'order-overlap',
    });
    open.push(watcher);
    await subscribeGrants(watcher, ['chat/+/+', 'chat/general/messages'], 0);
    const seen = record(watcher);
    for (const [i, room] of ['general', 'general', 'general', 'random'].entries()) {
      await watcher.publishAsync(
        `chat/${room}/messages`,
        json({ id: `o${i}`, from: 'notifier', text: 'x', sentAt: Date.now() }),
        { qos: 1 },
      );
    }
    // The last one matches one filter only: once it is in, any duplicate before it is too.
    await eventually(() => seen.some((m) => m.topic === 'chat/random/messages'));
    expect(seen.map((m) => m.topic)).toEqual([
      'chat/general/messages',
      'chat/general/messages',
      'chat/general/messages',
      'chat/random/messages',
    ]);
  });
});
