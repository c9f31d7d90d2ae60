import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createMqttClient } from '../../../../src/client/lib/mqtt/mqtt-client-factory';

// The options mqtt.js gets from the page. (The factory against the real broker and
// mqtt.js: test/integration/connection.test.ts.)

const connect = vi.hoisted(() => vi.fn());
vi.mock('mqtt', () => ({ default: { connect } }));

describe('createMqttClient', () => {
  it('keeps mqtt-packet from building its number cache on the first packet', () => {
    connect.mockReturnValue(new EventEmitter());
    createMqttClient(
      {
        url: 'ws://127.0.0.1:1/mqtt',
        clientId: 'alice-tab1',
        username: 'alice@demo',
        password: 'token',
        protocolVersion: 4,
        clean: false,
        reconnectPeriod: 0,
        keepaliveSeconds: 30,
        connectTimeoutMs: 10_000,
      },
      { onConnect() {}, onRefused() {}, onMessage() {}, onClose() {} },
    );
    expect(connect).toHaveBeenCalledWith(
      'ws://127.0.0.1:1/mqtt',
      expect.objectContaining({ writeCache: false, clientId: 'alice-tab1', clean: false }),
    );
  });
});
