import net from 'node:net';
import { once } from 'node:events';
import mqttPacket, { type Packet } from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import { useTestServer } from '../support/server-fixture';
import { json } from '../support/mqtt-clients';

// A QoS 2 PUBLISH whose packet id still awaits its PUBREL is the same message again
// [MQTT-4.3.3-2]: aedes answers it with a PUBREC and routes nothing. The history must not
// hold it either, whatever it carries, or it shows a message no subscriber got.

const fixture = useTestServer();
const ROOM = 'chat/general/messages';
const PACKET_ID = 7;

/** A raw MQTT 3.1.1 connection of alice's, writing the packets the test gives it. */
async function rawAlice(clientId: string, clean: boolean) {
  const { token } = await fixture.server.tokens.mint({
    org: 'demo',
    user: 'alice',
    clientId,
    acl: roleRules('member'),
  });
  const url = new URL(fixture.server.mqttUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  parser.on('packet', (packet: Packet) => packets.push(packet));
  await once(socket, 'connect');
  const until = async (cmd: Packet['cmd'], count = 1) => {
    const seen = () => packets.filter((p) => p.cmd === cmd).length >= count;
    while (!seen()) await once(parser, 'packet');
  };
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean,
      clientId,
      keepalive: 30,
      username: 'alice@demo',
      password: Buffer.from(token),
    }),
  );
  await until('connack');
  return {
    until,
    /** Writes the packets in one TCP write: the server reads them together. */
    write: (...packets: Packet[]) =>
      socket.write(Buffer.concat(packets.map((packet) => mqttPacket.generate(packet)))),
    close: () => socket.destroy(),
  };
}

/**
 * The ids of the messages PUBLISHed to `client`, in the order they came on the wire. Not
 * its 'message' events: mqtt.js emits a QoS 2 message only once the broker's PUBREL has
 * come back, a QoS 1 one at once, so a later QoS 1 message can be emitted before an
 * earlier QoS 2 one. The broker writes PUBLISHes to a client in the order it routes them,
 * so once `arrived(id)` resolves every message routed before `id` is in `ids`.
 */
function onTheWire(client: MqttClient) {
  const ids: string[] = [];
  const waiting = new Map<string, () => void>();
  client.on('packetreceive', (packet) => {
    if (packet.cmd !== 'publish') return;
    const { id } = JSON.parse(packet.payload.toString()) as { id: string };
    ids.push(id);
    waiting.get(id)?.();
  });
  return {
    ids,
    /** Resolves once `id` has come; rejects, naming it, after 5 s. */
    arrived: (id: string) =>
      new Promise<void>((resolve, reject) => {
        if (ids.includes(id)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`${id} did not arrive within 5 s; got ${ids.join(', ')}`)),
          5_000,
        );
        waiting.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

const chat = (id: string) => ({ id, from: 'alice', text: id, sentAt: Date.now() });
const publish = (id: string, qos: 1 | 2, dup = false): Packet => ({
  cmd: 'publish',
  topic: ROOM,
  payload: json(chat(id)),
  qos,
  messageId: qos === 2 ? PACKET_ID : PACKET_ID + 1,
  retain: false,
  dup,
});
const historyIds = () =>
  fixture.server.storage.history
    .page('demo', 'general', { limit: 50 })
    .messages.map((message) => message.id);

describe('a QoS 2 packet id reused before its PUBREL', () => {
  it('is the first message only: in the history as on the wire', async () => {
    const watcher = await fixture.member('bob');
    await watcher.subscribeAsync(ROOM, { qos: 2 });
    const received = onTheWire(watcher);
    const alice = await rawAlice('alice-qos2', true);

    alice.write(publish('q2-first', 2));
    await alice.until('pubrec');
    expect(historyIds()).toContain('q2-first'); // recorded before its PUBREC left
    alice.write(publish('q2-second', 2)); // same packet id, no PUBREL yet
    await alice.until('pubrec', 2);
    alice.write({ cmd: 'pubrel', messageId: PACKET_ID });
    await alice.until('pubcomp');
    // A later message from the same client: once it arrives, the ones before it have.
    alice.write(publish('q1-after', 1));
    await received.arrived('q1-after');
    alice.close();

    const delivered = received.ids;
    expect(delivered).toEqual(['q2-first', 'q1-after']);
    expect(historyIds()).toEqual(expect.arrayContaining(['q2-first', 'q1-after']));
    expect(historyIds()).not.toContain('q2-second');
  });

  it('is the first message only after a reconnect of the same session', async () => {
    const watcher = await fixture.member('bob');
    await watcher.subscribeAsync(ROOM, { qos: 2 });
    const received = onTheWire(watcher);
    const first = await rawAlice('alice-qos2-kept', false);
    first.write(publish('q2-kept', 2));
    await first.until('pubrec');
    first.close(); // gone before its PUBREL: the session keeps the packet id

    const again = await rawAlice('alice-qos2-kept', false);
    again.write(publish('q2-reused', 2, true));
    await again.until('pubrec');
    again.write({ cmd: 'pubrel', messageId: PACKET_ID });
    await again.until('pubcomp');
    again.write(publish('q1-later', 1));
    await received.arrived('q1-later');
    again.close();

    const delivered = received.ids;
    expect(delivered).toEqual(['q2-kept', 'q1-later']);
    expect(historyIds()).not.toContain('q2-reused');
  });

  // aedes looks the id up before either is stored, so it routes both (an aedes deviation
  // from [MQTT-4.3.3-2], for a client that pipelines the same id). Whatever it routes, the
  // history holds the same.
  it('sent twice in one read: the history holds what was delivered', async () => {
    const watcher = await fixture.member('bob');
    await watcher.subscribeAsync(ROOM, { qos: 2 });
    const received = onTheWire(watcher);
    const alice = await rawAlice('alice-qos2-one-read', true);
    alice.write(publish('read-first', 2), publish('read-second', 2));
    await alice.until('pubrec', 2);
    alice.write({ cmd: 'pubrel', messageId: PACKET_ID });
    await alice.until('pubcomp');
    alice.write(publish('read-after', 1));
    await received.arrived('read-after');
    alice.close();

    const delivered = received.ids;
    expect(delivered[0]).toBe('read-first');
    const kept = historyIds().filter((id) => id.startsWith('read-'));
    expect(kept.sort()).toEqual(delivered.sort());
  });
});
