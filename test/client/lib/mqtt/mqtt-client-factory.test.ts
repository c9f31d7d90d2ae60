import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createMqttClient } from '../../../../src/client/lib/mqtt/mqtt-client-factory';

// The options mqtt.js gets from the page. (The factory against the real broker and
// mqtt.js: test/integration/connection.test.ts.)

const connect = vi.hoisted(() => vi.fn());
vi.mock('mqtt', () => ({ default: { connect } }));

const OPTIONS = {
  url: 'ws://127.0.0.1:1/mqtt',
  clientId: 'alice-tab1',
  username: 'alice@demo',
  password: 'token',
  protocolVersion: 4,
  clean: false,
  reconnectPeriod: 0,
  keepaliveSeconds: 30,
  connectTimeoutMs: 10_000,
} as const;
const EVENTS = { onConnect() {}, onRefused() {}, onMessage() {}, onClose() {} };

describe('createMqttClient', () => {
  it('keeps mqtt-packet from building its number cache on the first packet', () => {
    connect.mockReturnValue(new EventEmitter());
    createMqttClient(OPTIONS, EVENTS);
    expect(connect).toHaveBeenCalledWith(
      'ws://127.0.0.1:1/mqtt',
      expect.objectContaining({ writeCache: false, clientId: 'alice-tab1', clean: false }),
    );
  });

  it('sends a PINGREQ and calls back once, at the next PINGRESP', () => {
    const mqttClient = Object.assign(new EventEmitter(), { sendPing: vi.fn() });
    connect.mockReturnValue(mqttClient);
    const client = createMqttClient(OPTIONS, EVENTS);
    const answered = vi.fn();

    client.ping(answered);
    expect(mqttClient.sendPing).toHaveBeenCalledTimes(1);
    mqttClient.emit('packetreceive', { cmd: 'publish' });
    expect(answered).not.toHaveBeenCalled();
    mqttClient.emit('packetreceive', { cmd: 'pingresp' });
    mqttClient.emit('packetreceive', { cmd: 'pingresp' });
    expect(answered).toHaveBeenCalledTimes(1);
    expect(mqttClient.listenerCount('packetreceive')).toBe(1); // the factory's own CONNACK one
  });
});
