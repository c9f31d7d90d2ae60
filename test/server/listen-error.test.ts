import { describe, expect, it } from 'vitest';
import { describeListenError } from '../../src/server/listen-error';

const config = { host: '127.0.0.1', port: 8080, mqttPort: 1883 };
const failure = (fields: Record<string, unknown>) => Object.assign(new Error('failed'), fields);

describe('describeListenError', () => {
  it.each([
    [{ code: 'EADDRINUSE', syscall: 'listen', port: 1883 }, 'MQTT_PORT: 127.0.0.1:1883 is in use'],
    [{ code: 'EADDRINUSE', syscall: 'listen', port: 8080 }, 'PORT: 127.0.0.1:8080 is in use'],
    [{ code: 'EACCES', syscall: 'listen', port: 8080 }, 'PORT: not allowed to listen'],
    [{ code: 'EADDRNOTAVAIL', syscall: 'listen', port: 8080 }, 'HOST: 127.0.0.1 is not an address'],
    [
      { code: 'ENOTFOUND', syscall: 'getaddrinfo' },
      'HOST: "127.0.0.1" is not an address or a name',
    ],
  ])('names the setting for %j', (fields, message) => {
    expect(describeListenError(failure(fields), config)).toContain(message);
  });

  it.each([
    // A data dir the server may not write: its own message (with the path) says more.
    { code: 'EACCES', syscall: 'mkdir', path: '/srv/data' },
    { code: 'ENOENT', syscall: 'open', path: '/srv/cert.pem' },
    { code: 'ENOTFOUND', syscall: 'listen' },
  ])('leaves %j as it is', (fields) => {
    expect(describeListenError(failure(fields), config)).toBeNull();
  });
});
