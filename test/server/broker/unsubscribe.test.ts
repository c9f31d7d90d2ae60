import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  connect,
  json,
  record,
  type ReceivedMessage,
  resume,
  subscribeGrants,
  waitForMessage,
} from '../support/mqtt-clients';
import { useTestServer } from '../support/server-fixture';
import { DEMO_PASSWORD } from '../support/test-server';

// A client names its topics and the broker keeps them mounted under its org
// (mount-point.ts): an UNSUBSCRIBE must reach the subscription its SUBSCRIBE made.

const fixture = useTestServer();
const { open } = fixture;
const STATE = 'agents/agent-01/state';
const REPLIES = 'agents/agent-01/replies';
const PIPELINED = 12; // more than an emitter's default listener limit

async function agent() {
  const client = await connect(fixture.server.mqttUrl, {
    username: 'agent-01@demo',
    password: DEMO_PASSWORD,
    clientId: `agent-01-${Math.random().toString(36).slice(2, 8)}`,
  });
  open.push(client);
  return client;
}

const state = (status: string) => json({ status, progress: 1, updatedAt: Date.now() });

/** The topics of what was published while subscribed (retained ones from before aside). */
const live = (messages: ReceivedMessage[]) => messages.filter((m) => !m.retain).map((m) => m.topic);

const viewerLogin = (clientId: string) => ({
  username: 'alice@demo',
  password: DEMO_PASSWORD,
  clientId,
});

describe('UNSUBSCRIBE', () => {
  it('stops deliveries on the topics named, and only those', async () => {
    const viewer = await connect(fixture.server.mqttUrl, viewerLogin('unsub-live'));
    open.push(viewer);
    const seen = record(viewer);
    await subscribeGrants(viewer, [STATE, REPLIES], 1);
    await viewer.unsubscribeAsync(STATE);
    const publisher = await agent();
    await publisher.publishAsync(STATE, state('working'), { qos: 1 });
    await publisher.publishAsync(REPLIES, json({ commandId: 'c1', status: 'done' }), { qos: 1 });
    // The reply was published after the state: once it is here, the state would be too.
    await waitForMessage(seen, (m) => m.topic === REPLIES);
    expect(live(seen)).toEqual([REPLIES]);
  });

  it('leaves nothing queued for a persistent session on the topic it left', async () => {
    const viewer = await connect(fixture.server.mqttUrl, {
      ...viewerLogin('unsub-persistent'),
      clean: false,
    });
    await subscribeGrants(viewer, [STATE, REPLIES], 1);
    await viewer.unsubscribeAsync(STATE);
    await viewer.endAsync();
    const publisher = await agent();
    await publisher.publishAsync(STATE, state('working'), { qos: 1 });
    await publisher.publishAsync(REPLIES, json({ commandId: 'c2', status: 'done' }), { qos: 1 });

    const { client } = await resume(fixture.server.mqttUrl, viewerLogin('unsub-persistent'));
    open.push(client);
    const seen = record(client);
    await waitForMessage(seen, (m) => m.topic === REPLIES);
    expect(live(seen)).toEqual([REPLIES]);
    // Nor does it come back with the session's stored subscriptions.
    const again = await agent();
    await again.publishAsync(STATE, state('idle'), { qos: 1 });
    await again.publishAsync(REPLIES, json({ commandId: 'c3', status: 'done' }), { qos: 1 });
    await waitForMessage(seen, (m) => m.topic === REPLIES && m.payload.includes('c3'));
    expect(live(seen)).toEqual([REPLIES, REPLIES]);
  });

  it('keeps with a persistent session only the filters it was granted, and those it left go', async () => {
    const login = viewerLogin('unsub-refused');
    const viewer = await connect(fixture.server.mqttUrl, { ...login, clean: false });
    // `#` is refused (SUBACK 0x80), and so is a filter written as if already mounted.
    expect(await subscribeGrants(viewer, [STATE, REPLIES, '#', `$demo/agents/+/state`], 1)).toEqual(
      [1, 1, 128, 128],
    );
    const { persistence } = fixture.server.broker.aedes as unknown as {
      persistence: {
        subscriptionsByClient(client: { id: string }): Promise<{ topic: string }[]>;
      };
    };
    const stored = async () =>
      (await persistence.subscriptionsByClient({ id: 'demo:alice:unsub-refused' }))
        .map((sub) => sub.topic)
        .sort();
    expect(await stored()).toEqual([`$demo/${REPLIES}`, `$demo/${STATE}`]);
    await viewer.unsubscribeAsync([STATE, REPLIES]);
    expect(await stored()).toEqual([]);
    await viewer.endAsync();

    const publisher = await agent();
    await publisher.publishAsync(STATE, state('working'), { qos: 1 });
    const { client } = await resume(fixture.server.mqttUrl, login);
    open.push(client);
    const seen = record(client);
    await subscribeGrants(client, [REPLIES], 1);
    await publisher.publishAsync(REPLIES, json({ commandId: 'c5', status: 'done' }), { qos: 1 });
    await waitForMessage(seen, (m) => m.topic === REPLIES);
    expect(live(seen)).toEqual([REPLIES]);
  });

  it('answers an UNSUBSCRIBE of a filter no SUBSCRIBE could be granted, as before', async () => {
    const viewer = await connect(fixture.server.mqttUrl, viewerLogin('unsub-deep'));
    open.push(viewer);
    // 100 levels: aedes' own limit, which mounting would cross; 33 and over are never granted.
    const deep = Array.from({ length: 100 }, (_, i) => `l${i}`).join('/');
    await viewer.unsubscribeAsync([deep, 'chat/general/messages']);
    expect(viewer.connected).toBe(true);
  });

  it('applies to an UNSUBSCRIBE sent before the CONNACK came back', async () => {
    const stored = await connect(fixture.server.mqttUrl, {
      ...viewerLogin('unsub-pipelined'),
      clean: false,
    });
    await subscribeGrants(stored, [STATE, REPLIES], 0);
    await stored.endAsync();

    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    onTestFinished(() => void process.off('warning', onWarning));
    const url = new URL(fixture.server.mqttUrl);
    const socket = net.connect(Number(url.port), url.hostname);
    const parser = mqttPacket.parser();
    const received: mqttPacket.Packet[] = [];
    parser.on('packet', (packet) => received.push(packet));
    socket.on('data', (data) => parser.parse(data));
    // CONNECT resuming the session and UNSUBSCRIBE in one write: the UNSUBSCRIBE arrives
    // before the broker knows whose it is, and waits for the CONNECT.
    socket.write(
      Buffer.concat([
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: false,
          clientId: 'unsub-pipelined',
          keepalive: 30,
          username: 'alice@demo',
          password: Buffer.from(DEMO_PASSWORD),
        }),
        // Others before it, each waiting too (and none of them a listener of its own).
        ...Array.from({ length: PIPELINED - 1 }, (_, i) =>
          mqttPacket.generate({
            cmd: 'unsubscribe',
            messageId: i + 2,
            unsubscriptions: [`chat/room-${i}/messages`],
          }),
        ),
        mqttPacket.generate({ cmd: 'unsubscribe', messageId: 1, unsubscriptions: [STATE] }),
      ]),
    );
    try {
      await expect
        .poll(() => received.map((packet) => packet.cmd), { timeout: 5_000 })
        .toEqual(['connack', ...Array<string>(PIPELINED).fill('unsuback')]);
      expect(warnings).toEqual([]);
      const publisher = await agent();
      await publisher.publishAsync(STATE, state('working'), { qos: 1 });
      await publisher.publishAsync(REPLIES, json({ commandId: 'c4', status: 'done' }), {
        qos: 1,
      });
      const published = () =>
        received
          .filter((packet): packet is mqttPacket.IPublishPacket => packet.cmd === 'publish')
          .filter((packet) => !packet.retain)
          .map((packet) => packet.topic);
      await expect.poll(() => published().includes(REPLIES)).toBe(true);
      expect(published()).toEqual([REPLIES]);
    } finally {
      socket.destroy();
    }
  });
});
