import net from 'node:net';
import { once } from 'node:events';
import mqttPacket, { type Packet } from 'mqtt-packet';
import type { Client } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import { startTestServer, type TestServer } from '../support/test-server';
import { connectBytes } from '../support/mqtt-clients';

// A PUBACK means the message is in the history: the server commits a turn's history
// before that turn's writes leave (transports' beforeSend, wired in app.ts). The race it
// closes: a client whose connection already has a write waiting in the turn (here the
// PUBACK of a QoS 1 typing signal sent just before) used to get its chat message's PUBACK
// in that same write, ahead of the history's own commit.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.cleanup());

const CHAT_ID = 'm-before-ack';
const CHAT_MESSAGE_ID = 2;

/** Wraps the server side of `clientId`'s socket: at each system write, is the chat kept? */
function watchServerWrites(clientId: string): { writes: { bytes: Buffer; kept: boolean }[] } {
  const writes: { bytes: Buffer; kept: boolean }[] = [];
  const kept = () =>
    server.storage.history
      .page('demo', 'general', { limit: 10 })
      .messages.some((message) => message.id === CHAT_ID);
  server.broker.aedes.on('client', (client: Client) => {
    if (!client.id.endsWith(clientId)) return;
    const socket = client.conn as net.Socket;
    const writev = socket._writev!.bind(socket);
    const write = socket._write.bind(socket);
    socket._writev = (chunks, callback) => {
      writes.push({ bytes: Buffer.concat(chunks.map((c) => c.chunk as Buffer)), kept: kept() });
      writev(chunks, callback);
    };
    socket._write = (chunk, encoding, callback) => {
      writes.push({ bytes: Buffer.from(chunk as Buffer), kept: kept() });
      write(chunk, encoding, callback);
    };
  });
  return { writes };
}

describe('a QoS 1 chat message is acknowledged only once it is in the history', () => {
  it('even when its PUBACK shares a write with an earlier one of the same turn', async () => {
    const clientId = 'alice-ack';
    const { writes } = watchServerWrites(clientId);
    const { token } = await server.tokens.mint({
      org: 'demo',
      user: 'alice',
      clientId,
      acl: roleRules('member'),
    });
    const url = new URL(server.mqttUrl);
    const socket = net.connect(Number(url.port), url.hostname);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: Packet[] = [];
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    parser.on('packet', (packet: Packet) => packets.push(packet));
    await once(socket, 'connect');
    socket.write(connectBytes(clientId, 'alice@demo', token));
    while (!packets.some((p) => p.cmd === 'connack')) await once(parser, 'packet');

    // Both in one TCP write, so the server reads and handles them in one turn.
    const publish = (topic: string, payload: object, messageId: number) =>
      mqttPacket.generate({
        cmd: 'publish',
        topic,
        payload: JSON.stringify(payload),
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      });
    socket.write(
      Buffer.concat([
        publish('chat/general/typing', { from: 'alice', typing: true }, 1),
        publish(
          'chat/general/messages',
          { id: CHAT_ID, from: 'alice', text: 'kept first', sentAt: Date.now() },
          CHAT_MESSAGE_ID,
        ),
      ]),
    );
    const acked = () => packets.some((p) => p.cmd === 'puback' && p.messageId === CHAT_MESSAGE_ID);
    while (!acked()) await once(parser, 'packet');
    socket.destroy();

    const chatPuback = mqttPacket.generate({ cmd: 'puback', messageId: CHAT_MESSAGE_ID });
    const withPuback = writes.filter((w) => w.bytes.includes(chatPuback));
    expect(withPuback).toHaveLength(1);
    expect(withPuback[0]?.kept).toBe(true);
  });
});
