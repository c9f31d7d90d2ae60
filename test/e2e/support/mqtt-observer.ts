import { randomBytes, randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { connect, record, type ReceivedMessage } from '../../server/support/mqtt-clients';
import { DEMO_PASSWORD, type E2eServer } from './e2e-server';

export interface MqttObserver {
  client: MqttClient;
  messages: ReceivedMessage[];
  /** Resolves with the first matching message (already received or next). */
  waitFor(
    predicate: (message: ReceivedMessage) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedMessage>;
  close(): Promise<void>;
}

const WAIT_TIMEOUT_MS = 30_000;

/**
 * A plain MQTT client over TCP with a permanent password (as a service or device would
 * connect), to watch or publish what the pages cannot show on their own.
 */
export async function connectAs(
  server: E2eServer,
  user: string,
  org = 'demo',
  password = DEMO_PASSWORD,
): Promise<MqttObserver> {
  const client = await connect(server.mqttUrl, {
    username: `${user}@${org}`,
    password,
    clientId: `${user}-e2e-${randomBytes(4).toString('hex')}`,
  });
  const messages = record(client);
  return {
    client,
    messages,
    waitFor: (predicate, timeoutMs = WAIT_TIMEOUT_MS) =>
      new Promise((resolve, reject) => {
        const found = messages.find(predicate);
        if (found) return resolve(found);
        const timer = setTimeout(() => {
          client.off('message', onMessage);
          reject(new Error(`no matching MQTT message within ${timeoutMs} ms`));
        }, timeoutMs);
        const onMessage = () => {
          const match = messages.find(predicate);
          if (!match) return;
          clearTimeout(timer);
          client.off('message', onMessage);
          resolve(match);
        };
        client.on('message', onMessage);
      }),
    close: async () => {
      await client.endAsync(true);
    },
  };
}

/** Publishes chat messages to #general as `observer`, who must be bob (as `from` says). */
export function sayAs(observer: MqttObserver) {
  return (text: string, sentAt = Date.now()) =>
    observer.client.publishAsync(
      'chat/general/messages',
      JSON.stringify({ id: randomUUID(), from: 'bob', text, sentAt }),
      { qos: 1 },
    );
}
