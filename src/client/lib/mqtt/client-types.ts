// The slice of an MQTT client the connection needs. The real one wraps mqtt.js
// (mqtt-client-factory.ts); tests pass an in-memory fake through the same factory type.

export type QoS = 0 | 1;

export interface Subscription {
  filter: string;
  qos: QoS;
}

export interface LastWill {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
}

export interface ClientOptions {
  url: string;
  clientId: string;
  username: string;
  password: string;
  protocolVersion: 4 | 5;
  /** false: the broker keeps our subscriptions and queues QoS 1 messages while we are away. */
  clean: false;
  /** 0: mqtt.js never reconnects on its own; the connection drives retries and tokens. */
  reconnectPeriod: 0;
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  /** Published by the broker if we vanish without DISCONNECT (presence goes offline). */
  will?: LastWill;
}

export interface ClientEvents {
  onConnect(sessionPresent: boolean): void;
  /** CONNACK with a non-zero return code; a close follows. */
  onRefused(returnCode: number): void;
  onMessage(topic: string, payload: Uint8Array): void;
  onClose(): void;
}

export interface PublishOptions {
  qos: QoS;
  retain: boolean;
}

export interface MqttClientLike {
  /** Calls back with the filters the broker refused (SUBACK 0x80). */
  subscribe(
    subscriptions: readonly Subscription[],
    done: (error: Error | null, refused: string[]) => void,
  ): void;
  /** QoS 1: calls back on PUBACK. QoS 0: once written. */
  publish(
    topic: string,
    payload: string,
    options: PublishOptions,
    done: (error: Error | null) => void,
  ): void;
  /** Sends a PINGREQ; calls back at the next PINGRESP (never, if the socket died unseen). */
  ping(done: () => void): void;
  /** force false sends DISCONNECT after in-flight messages complete, so the Last Will is discarded. */
  end(force: boolean, done: () => void): void;
}

export type ClientFactory = (options: ClientOptions, events: ClientEvents) => MqttClientLike;

/** What POST /api/token returns: a short-lived broker credential. */
export interface BrokerToken {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /** ms since the epoch, by the server's clock */
  issuedAt: number;
  /** ms since the epoch, by the server's clock */
  expiresAt: number;
  protocolVersion: 4 | 5;
}
