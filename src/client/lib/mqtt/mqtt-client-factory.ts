import mqtt from 'mqtt';
import type { ClientFactory, MqttClientLike } from './client-types';
import { keepaliveTimer } from './keepalive-timer';
import { PUBACK_REFUSAL_MIN, PublishRefusedError } from './publish-refusal';

// The one place in the browser that touches mqtt.js (ESLint enforces it). Everything
// else sees the small MqttClientLike surface, which tests replace with a fake.
const SUBACK_FAILURE = 0x80; // [MQTT-3.9.3] return code for a refused filter

export const createMqttClient: ClientFactory = (options, events) => {
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: options.protocolVersion,
    clean: options.clean,
    reconnectPeriod: options.reconnectPeriod,
    keepalive: options.keepaliveSeconds,
    connectTimeout: options.connectTimeoutMs,
    will: options.will,
    resubscribe: false, // the connection re-subscribes itself on every CONNACK
    queueQoSZero: false, // QoS 0 is only sent while connected; QoS 1 waits in our outbox
    timerVariant: keepaliveTimer(),
    // mqtt-packet otherwise builds a Buffer for each of the 65,536 message ids on the first
    // packet written, the CONNECT: 20–30 ms of the page's main thread through the `buffer`
    // polyfill, right when the retained states start to arrive. The page writes few
    // packets; their ids are encoded as they go.
    writeCache: false,
  });

  client.on('connect', (connack) => events.onConnect(connack.sessionPresent));
  // mqtt.js reports a refused CONNACK as a generic 'error'; the packet itself is exact.
  client.on('packetreceive', (packet) => {
    if (packet.cmd === 'connack') {
      const code = packet.returnCode ?? packet.reasonCode ?? 0;
      if (code !== 0) events.onRefused(code);
    }
  });
  client.on('message', (topic, payload) => events.onMessage(topic, payload));
  client.on('close', () => events.onClose());
  // Without a listener mqtt.js would throw; every error is followed by 'close', which
  // is where the connection decides what to do.
  client.on('error', () => {});

  const wrapped: MqttClientLike = {
    subscribe(subscriptions, done) {
      const map = Object.fromEntries(subscriptions.map((s) => [s.filter, { qos: s.qos }]));
      client.subscribe(map, (error, granted) => {
        const refused = (granted ?? []).filter((g) => g.qos === SUBACK_FAILURE).map((g) => g.topic);
        done(error ?? null, refused);
      });
    },
    publish(topic, payload, publishOptions, done) {
      client.publish(topic, payload, publishOptions, (error) => done(publishError(error)));
    },
    ping(done) {
      const answered = (packet: { cmd: string }) => {
        if (packet.cmd !== 'pingresp') return;
        client.off('packetreceive', answered);
        done();
      };
      client.on('packetreceive', answered);
      client.sendPing();
    },
    end(force, done) {
      client.end(force, {}, () => done());
    },
  };
  return wrapped;
};

/**
 * mqtt.js calls a publish back with an error carrying the PUBACK's reason code (`code`)
 * when an MQTT 5 broker refused it; every other error (the connection closed first, say)
 * carries none. The connection tells the two apart by type, not by mqtt.js' shape.
 */
function publishError(error: Error | undefined): Error | null {
  if (!error) return null;
  const code: unknown = (error as { code?: unknown }).code;
  if (typeof code === 'number' && code >= PUBACK_REFUSAL_MIN)
    return new PublishRefusedError(code, error.message);
  return error;
}
