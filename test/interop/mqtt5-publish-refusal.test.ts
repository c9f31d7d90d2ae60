import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/client/lib/mqtt/connection';
import { createMqttClient } from '../../src/client/lib/mqtt/mqtt-client-factory';
import { Outbox } from '../../src/client/lib/mqtt/outbox';

// The app pointed at an external MQTT 5 broker (Debian's mosquitto 2): a publish its ACL
// denies comes back as a PUBACK with reason code 0x87, which mqtt.js reports as an error.
// The browser's connection module must take that as final, not as a reason to resend.
const NOT_AUTHORIZED = 0x87;

let broker: ChildProcess;
let dir: string;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function listening(at: number, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connectTcp(at, '127.0.0.1');
      socket.once('connect', () => socket.end(() => resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error('mosquitto did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-mosquitto-'));
  await chmod(dir, 0o755); // mosquitto started as root reads its files as user mosquitto
  port = await freePort();
  // Members may post in #general only (and keep their presence).
  await writeFile(
    join(dir, 'acl'),
    'pattern readwrite chat/general/messages\npattern readwrite presence/#\n',
  );
  await writeFile(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `acl_file ${join(dir, 'acl')}`,
      'persistence false',
    ].join('\n'),
  );
  broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  await listening(port);
});

afterAll(async () => {
  const exited = once(broker, 'exit');
  broker.kill();
  await exited;
  await rm(dir, { recursive: true, force: true });
});

describe('the connection against an MQTT 5 broker', () => {
  it('drops a publish the broker refused at once and keeps an accepted one to confirm', async () => {
    const outbox = new Outbox(null);
    const connection = new Connection({
      createClient: createMqttClient,
      subscriptions: [{ filter: 'chat/general/messages', qos: 1 }],
      getToken: async () => ({
        url: `mqtt://127.0.0.1:${port}`,
        username: 'alice@demo',
        password: 'not checked here',
        clientId: 'alice-mqtt5',
        issuedAt: Date.now(),
        expiresAt: Date.now() + 60_000,
        protocolVersion: 5,
      }),
      onMessage: () => {},
      outbox,
      network: { isOnline: () => true, subscribe: () => () => {} },
    });
    const acks: string[] = [];
    const refusals: Array<[string, number]> = [];
    connection.onAck((id) => acks.push(id));
    connection.onPublishRefused((id, refusal) =>
      refusals.push([id, refusal.by === 'broker' ? refusal.reasonCode : -1]),
    );
    const connected = new Promise<void>((resolve) => {
      const poll = () =>
        connection.getState().status === 'connected' ? resolve() : setTimeout(poll, 10);
      poll();
    });
    connection.start();
    try {
      await connected;
      connection.publishReliable('chat/secret/messages', '{"text":"not here"}', {
        id: 'denied',
        confirm: true,
      });
      connection.publishReliable('chat/general/messages', '{"text":"fine"}', {
        id: 'allowed',
        confirm: true,
      });
      await until(() => refusals.length + acks.length === 2);

      expect(refusals).toEqual([['denied', NOT_AUTHORIZED]]);
      expect(acks).toEqual(['allowed']);
      expect(outbox.list()).toEqual([]); // nothing to resend on the next connect
      expect(outbox.listUnconfirmed().map((entry) => entry.id)).toEqual(['allowed']);
    } finally {
      await connection.signOut();
    }
  });
});
