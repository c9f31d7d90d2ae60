import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually';
import { connect, json } from '../support/mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/test-server';

// A connected persistent session's QoS 1 messages wait for their PUBACK in memory
// (outgoing-cache.ts). One not acknowledged when the connection drops must still reach
// the session's next connection, and one acknowledged must not come again.

let server: TestServer;
let agent: MqttClient;

beforeAll(async () => {
  server = await startTestServer();
  agent = await connect(server.mqttUrl, {
    username: 'agent-01@demo',
    password: DEMO_PASSWORD,
    clientId: 'agent-01-persistent-test',
  });
});
afterAll(async () => {
  await agent.endAsync();
  await server.cleanup();
});

const generate = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);

/** alice's persistent session on a raw socket: nothing is acknowledged unless asked. */
async function rawSession(clientId = 'alice-raw-persistent') {
  const url = new URL(server.mqttUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const received: mqttPacket.Packet[] = [];
  parser.on('packet', (packet) => received.push(packet));
  socket.on('data', (chunk) => parser.parse(chunk));
  socket.write(
    generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: false,
      clientId,
      keepalive: 30,
      username: 'alice@demo',
      password: Buffer.from(DEMO_PASSWORD),
    }),
  );
  await eventually(() => received.some((p) => p.cmd === 'connack'), 2_000);
  const publishes = () =>
    received.filter((p): p is mqttPacket.IPublishPacket => p.cmd === 'publish');
  return { socket, received, publishes };
}

async function subscribe(session: Awaited<ReturnType<typeof rawSession>>, topic: string) {
  session.socket.write(
    generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] }),
  );
  await eventually(() => session.received.some((p) => p.cmd === 'suback'), 2_000);
}

const state = (progress: number) => json({ status: 'working', progress, updatedAt: Date.now() });

describe('QoS 1 to a persistent session', () => {
  it('hands an unacknowledged message to a connection that takes the session over', async () => {
    const first = await rawSession('alice-raw-takeover');
    await subscribe(first, 'agents/agent-01/state');
    await agent.publishAsync('agents/agent-01/state', state(10), { qos: 1 });
    await eventually(() => first.publishes().length === 1, 2_000);

    // Same client id while the first is still connected: the broker closes the first.
    const second = await rawSession('alice-raw-takeover');
    await eventually(() => second.publishes().length >= 1, 2_000);
    expect(second.publishes().map((p) => JSON.parse(p.payload.toString()).progress)).toEqual([10]);
    expect(second.publishes()[0]?.dup).toBe(true);
    first.socket.destroy();
    second.socket.destroy();
  });

  it('redelivers a message left unacknowledged when the connection dropped, and only that one', async () => {
    const first = await rawSession();
    await subscribe(first, 'agents/agent-01/state');

    await agent.publishAsync('agents/agent-01/state', state(1), { qos: 1 });
    await agent.publishAsync('agents/agent-01/state', state(2), { qos: 1 });
    await eventually(() => first.publishes().length === 2, 2_000);
    // The first is acknowledged, the second never is: the connection just drops.
    first.socket.write(generate({ cmd: 'puback', messageId: first.publishes()[0]!.messageId }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    first.socket.destroy();

    const second = await rawSession();
    await eventually(() => second.publishes().length >= 1, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything else would be here by now
    const again = second.publishes();
    expect(again.map((p) => JSON.parse(p.payload.toString()).progress)).toEqual([2]);
    expect(again[0]?.dup).toBe(true); // [MQTT-3.3.1-1]

    // Acknowledged this time: a third connection gets nothing more.
    second.socket.write(generate({ cmd: 'puback', messageId: again[0]!.messageId }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    second.socket.destroy();
    const third = await rawSession();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(third.publishes()).toEqual([]);
    third.socket.destroy();
  });
});
