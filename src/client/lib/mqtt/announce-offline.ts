import type { ClientFactory, ClientOptions, MqttClientLike } from './client-types';
import { endGracefully, publishRetainedWithin } from './bounded-steps';

// Sign-out waits for this: a broker that does not answer must not keep the person on
// "Signing out…" for longer than these add up to.
export const OFFLINE_CONNECT_TIMEOUT_MS = 3_000;
export const OFFLINE_PUBLISH_TIMEOUT_MS = 2_000;
export const OFFLINE_END_TIMEOUT_MS = 3_000;

/**
 * Connects once more as `options.clientId`, only to publish `offline` retained on `topic`
 * and DISCONNECT. For a client id whose retained presence says online with no Last Will
 * left to correct it: the token renewal said DISCONNECT on the old client (which discards
 * its will) and sign-out came before the new client was up. `options.will` should be the
 * same offline presence: if this client is dropped after its CONNACK, the broker says it.
 * Never rejects; resolves when done or given up.
 */
export function announceOffline(
  createClient: ClientFactory,
  options: ClientOptions,
  topic: string,
  offline: string,
): Promise<void> {
  return new Promise((resolve) => {
    let client: MqttClientLike | null = null;
    let settled = false;
    const finish = (force: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      if (!force && client) {
        void endGracefully(client, OFFLINE_END_TIMEOUT_MS).then(resolve);
      } else {
        client?.end(true, noop);
        resolve();
      }
    };
    const connectTimer = setTimeout(() => finish(true), OFFLINE_CONNECT_TIMEOUT_MS);
    client = createClient(options, {
      onConnect: () => {
        if (settled || !client) return;
        clearTimeout(connectTimer);
        void publishRetainedWithin(client, topic, offline, OFFLINE_PUBLISH_TIMEOUT_MS).then(() =>
          finish(false),
        );
      },
      onRefused: () => finish(true), // nothing more this tab can do for that presence
      onClose: () => finish(true),
      onMessage: noop, // the persistent session may deliver what it queued: nobody reads it now
    });
  });
}

function noop(): void {}
