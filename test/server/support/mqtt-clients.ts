import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { onTestFinished } from 'vitest';

export interface ReceivedMessage {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
}

const BASE: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 4 };

/** Connects and resolves once the CONNACK accepted; rejects with its refusal. */
export async function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { ...BASE, ...options });
}

/** The CONNACK return code (0 when accepted; the client is then closed). */
export async function connackCode(url: string, options: IClientOptions): Promise<number> {
  try {
    const client = await connect(url, options);
    await client.endAsync();
    return 0;
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (typeof code !== 'number') throw error;
    return code;
  }
}

/**
 * Records every message a client receives from now on. Called in a test, it stops when the
 * test ends, so a client shared by a file's tests (a watcher) does not gather a listener,
 * and a growing list, per test.
 */
export function record(client: MqttClient): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  const onMessage = (topic: string, payload: Buffer, packet: { retain: boolean; qos: number }) => {
    messages.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos });
  };
  client.on('message', onMessage);
  try {
    onTestFinished(() => void client.off('message', onMessage));
  } catch {
    // Outside a test (a hook, a benchmark): it records for the client's whole life.
  }
  return messages;
}

/** Resolves with the first message matching `predicate` (already received or next). */
export function waitForMessage(
  messages: ReceivedMessage[],
  predicate: (message: ReceivedMessage) => boolean,
  timeoutMs = 5_000,
): Promise<ReceivedMessage> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const found = messages.find(predicate);
      if (found) return resolve(found);
      if (Date.now() - started > timeoutMs) {
        return reject(
          new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`),
        );
      }
      setTimeout(poll, 10);
    };
    poll();
  });
}

/** The SUBACK grants: a QoS per filter, 128 for a refused one. */
export async function subscribeGrants(
  client: MqttClient,
  filters: string[],
  qos: 0 | 1 | 2 = 1,
): Promise<number[]> {
  try {
    const granted = await client.subscribeAsync(filters, { qos });
    return granted.map((grant) => grant.qos);
  } catch (error) {
    // mqtt.js rejects when any grant is a failure; the SUBACK rides on the error.
    const granted = (error as { packet?: { granted?: (number | { qos: number })[] } }).packet
      ?.granted;
    if (!granted) throw error;
    return granted.map((grant) => (typeof grant === 'number' ? grant : grant.qos));
  }
}

export const json = (value: unknown) => JSON.stringify(value);

export function closeAll(clients: MqttClient[]): Promise<void[]> {
  return Promise.all(clients.map((client) => client.endAsync(true).then(() => undefined)));
}

/** Each agent connects with its password, retains an idle state as agents do, and leaves. */
export async function retainIdleStates(
  url: string,
  agents: readonly string[],
  password: string,
): Promise<void> {
  for (const agent of agents) {
    const client = await connect(url, {
      username: `${agent}@demo`,
      password,
      clientId: `${agent}-sim`,
    });
    await client.publishAsync(
      `agents/${agent}/state`,
      json({ status: 'idle', updatedAt: Date.now() }),
      { qos: 1, retain: true },
    );
    await client.endAsync();
  }
}

/** Connects with a persistent session: the client, and whether the broker had one kept. */
export async function resume(
  url: string,
  options: IClientOptions,
): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  const client = mqtt.connect(url, { ...BASE, ...options, clean: false });
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  return { client, sessionPresent };
}

/** A raw MQTT 3.1.1 CONNECT (clean session), for tests that write packets themselves. */
export function connectBytes(clientId: string, username: string, password: string): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 30,
    username,
    password: Buffer.from(password),
  });
}
