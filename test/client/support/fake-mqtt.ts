import type {
  ClientEvents,
  ClientFactory,
  ClientOptions,
  MqttClientLike,
  PublishOptions,
  Subscription,
} from '../../../src/client/lib/mqtt/client-types';

export interface FakePublish extends PublishOptions {
  topic: string;
  payload: string;
  acked: boolean;
  ack(error?: Error): void;
}

/**
 * An in-memory MQTT client: the test decides when the broker accepts, refuses, drops,
 * delivers and acknowledges, so every interleaving is deterministic.
 */
export class FakeMqttClient implements MqttClientLike {
  readonly published: FakePublish[] = [];
  readonly subscribeCalls: Subscription[][] = [];
  /** PINGREQs not answered yet (answerPings). */
  pendingPings: Array<() => void> = [];
  /** SUBSCRIBEs not answered yet, when the factory holds SUBACKs (answerSubscribes). */
  pendingSubscribes: Array<() => void> = [];
  ended: { force: boolean } | null = null;
  connected = false;

  constructor(
    readonly options: ClientOptions,
    private readonly events: ClientEvents,
    private readonly autoAck: boolean,
    private readonly holdSubacks = false,
  ) {}

  // — broker side —

  acceptConnect(sessionPresent = false): void {
    this.connected = true;
    this.events.onConnect(sessionPresent);
  }

  /** Like mqtt.js: the refusal, then the socket closes. */
  refuse(returnCode: number): void {
    this.events.onRefused(returnCode);
    this.events.onClose();
  }

  drop(): void {
    this.connected = false;
    this.events.onClose();
  }

  deliver(topic: string, payload: unknown): void {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    this.events.onMessage(topic, new TextEncoder().encode(text));
  }

  ackAll(): void {
    for (const publish of this.published) if (!publish.acked) publish.ack();
  }

  /** A SUBACK, granting all, for every SUBSCRIBE held so far. */
  answerSubscribes(): void {
    const subscribes = this.pendingSubscribes;
    this.pendingSubscribes = [];
    for (const done of subscribes) done();
  }

  /** A PINGRESP for every PINGREQ so far. */
  answerPings(): void {
    const pings = this.pendingPings;
    this.pendingPings = [];
    for (const done of pings) done();
  }

  publishedOn(topic: string): FakePublish[] {
    return this.published.filter((p) => p.topic === topic);
  }

  // — client side —

  subscribe(
    subscriptions: readonly Subscription[],
    done: (error: Error | null, refused: string[]) => void,
  ): void {
    this.subscribeCalls.push([...subscriptions]);
    if (this.holdSubacks) this.pendingSubscribes.push(() => done(null, []));
    else done(null, []);
  }

  publish(
    topic: string,
    payload: string,
    options: PublishOptions,
    done: (error: Error | null) => void,
  ): void {
    const record: FakePublish = {
      topic,
      payload,
      ...options,
      acked: false,
      ack: (error) => {
        if (record.acked) return;
        record.acked = true;
        done(error ?? null);
      },
    };
    this.published.push(record);
    if (options.qos === 0 || this.autoAck) record.ack();
  }

  ping(done: () => void): void {
    this.pendingPings.push(done);
  }

  end(force: boolean, done: () => void): void {
    if (this.ended) {
      done();
      return;
    }
    this.ended = { force };
    this.connected = false;
    done();
    this.events.onClose();
  }
}

export interface FakeFactoryOptions {
  /** Accept each CONNECT on the next microtask (default false: the test accepts). */
  autoConnect?: boolean;
  /** PUBACK every QoS 1 publish at once (default false). */
  autoAck?: boolean;
  /** Hold each SUBACK until the test answers it (default false: at once). */
  holdSubacks?: boolean;
}

export class FakeMqttFactory {
  readonly clients: FakeMqttClient[] = [];
  constructor(private readonly settings: FakeFactoryOptions = {}) {}

  readonly create: ClientFactory = (options, events) => {
    const client = new FakeMqttClient(
      options,
      events,
      this.settings.autoAck ?? false,
      this.settings.holdSubacks ?? false,
    );
    this.clients.push(client);
    if (this.settings.autoConnect) queueMicrotask(() => client.acceptConnect());
    return client;
  };

  get last(): FakeMqttClient {
    const client = this.clients[this.clients.length - 1];
    if (!client) throw new Error('no client has been created yet');
    return client;
  }
}
