import { ErrorWithReasonCode, type MqttClient } from 'mqtt';

// What a demo client (a simulated agent, the notifier) does when its connection drops or
// its CONNECT is refused. Clients built with MQTT 3.1.1, whose CONNACK codes these are.

export const RECONNECT_PERIOD_MS = 2_000; // outlive broker restarts: retry, do not give up
// "Server unavailable" may be the broker throttling our address: retry, less and less
// often, so a crowd of clients behind one address does not keep it throttled.
const MAX_RECONNECT_PERIOD_MS = 30_000;
const CONNACK_SERVER_UNAVAILABLE = 3; // [MQTT-3.2.2.3]
// Refusals of who the client is (protocol version, client id, user name or password, not
// authorized): the same CONNECT is refused again however long it waits, and each try
// counts against its address's sign-in throttle.
const CONNACK_FINAL_REFUSALS: ReadonlySet<number> = new Set([1, 2, 4, 5]);

export interface ReconnectPolicy {
  /** The wait before reconnecting after a dropped connection. */
  periodMs: number;
  /** Called once, when the client has stopped for good after a final refusal. */
  onRefused(error: ErrorWithReasonCode): void;
}

/**
 * Retries a dropped connection every `periodMs`, and "server unavailable" with a wait that
 * doubles up to 30 s; stops for good at any other refusal. Set up before the first connect.
 */
export function followReconnectPolicy(client: MqttClient, policy: ReconnectPolicy): void {
  client.options.reconnectPeriod = policy.periodMs;
  // mqtt.js otherwise stops at every refused CONNACK, "server unavailable" included.
  client.options.reconnectOnConnackError = true;
  client.on('connect', () => {
    client.options.reconnectPeriod = policy.periodMs;
  });
  client.on('error', (error) => {
    if (!(error instanceof ErrorWithReasonCode)) return; // a socket error: retried as a drop
    if (error.code === CONNACK_SERVER_UNAVAILABLE) {
      // mqtt.js schedules the next try after this 'error', from the period it reads then.
      const period = client.options.reconnectPeriod ?? policy.periodMs;
      client.options.reconnectPeriod = Math.min(2 * period, MAX_RECONNECT_PERIOD_MS);
    } else if (CONNACK_FINAL_REFUSALS.has(error.code)) {
      neverReconnect(client);
      client.end(true);
      policy.onRefused(error);
    }
  });
}

/**
 * Call before ending a client for good. end() alone is not enough: with manualConnect,
 * mqtt.js forgets it is ending once its stores close, and a socket closing after that (one
 * whose CONNECT was not answered yet, say) schedules a reconnect: a client stopped while it
 * connected would connect later and run on, owned by nobody. A zero period means none is
 * ever scheduled, whatever the order of those events.
 */
export function neverReconnect(client: MqttClient): void {
  client.options.reconnectPeriod = 0;
}

/** The one line a client logs when a refusal stopped it: who, why, and how to get it back. */
export type RefusalMessage = (username: string, error: ErrorWithReasonCode) => string;

/** That line for any broker, the default. */
export function stoppedMessage(username: string, error: Error): string {
  return (
    `${username}: the broker refused the connection (${error.message}); it stopped ` +
    'reconnecting. Restart it with valid credentials (its password may have been reset, ' +
    'or its user removed or disabled).'
  );
}
