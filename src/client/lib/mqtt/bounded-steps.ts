import type { MqttClientLike } from './client-types';

// Steps of sign-out and of the offline announcement, each bounded in time: a broker that
// does not answer must not keep the person on "Signing out…". Neither ever rejects.

/**
 * Ends `client` with a DISCONNECT, or outright (no DISCONNECT: its will then fires) when
 * that has not finished within `timeoutMs`.
 */
export function endGracefully(client: MqttClientLike, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.end(true, noop);
      resolve();
    }, timeoutMs);
    client.end(false, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Publishes a retained QoS 1 state; resolves at its PUBACK, or after `timeoutMs`. */
export function publishRetainedWithin(
  client: MqttClientLike,
  topic: string,
  payload: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    client.publish(topic, payload, { qos: 1, retain: true }, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function noop(): void {}
