import type { MqttClientLike } from './client-types';

/**
 * Ends `client` with a DISCONNECT, or outright (no DISCONNECT: its will then fires) when
 * that has not finished within `timeoutMs`. Never rejects.
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

function noop(): void {}
