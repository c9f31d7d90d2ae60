import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from '../../../src/server/http';

describe('isOriginAllowed', () => {
  const cases: [string, string | undefined, string | undefined, string[], boolean][] = [
    ['no Origin (non-browser client)', undefined, 'sb.example', [], true],
    ['same origin', 'https://sb.example', 'sb.example', [], true],
    ['same origin with port', 'http://sb.example:8080', 'sb.example:8080', [], true],
    ['same host, other port', 'http://sb.example:9999', 'sb.example:8080', [], false],
    ['Host header in capitals', 'http://sb.example', 'SB.example', [], true],
    ['localhost, same port', 'http://localhost:8080', 'localhost:8080', [], true],
    ['localhost, other port', 'http://localhost:5173', 'localhost:8080', [], false],
    ['localhost for another host', 'http://localhost:5173', 'sb.example', [], false],
    ['127.0.0.1, other port', 'http://127.0.0.1:3000', '127.0.0.1:8080', [], false],
    ['[::1], same port', 'http://[::1]:8080', '[::1]:8080', [], true],
    ['[::1], other port', 'http://[::1]:3000', '[::1]:8080', [], false],
    ['another site', 'https://evil.example', 'sb.example', [], false],
    ['a look-alike suffix', 'https://sb.example.evil.example', 'sb.example', [], false],
    ['opaque origin', 'null', 'sb.example', [], false],
    ['not a URL', 'garbage', 'sb.example', [], false],
    ['a non-web scheme', 'file://sb.example', 'sb.example', [], false],
    ['no Host header', 'https://sb.example', undefined, [], false],
    ['listed', 'https://app.example', 'sb.example', ['https://app.example'], true],
    [
      'unlisted same origin once a list is set',
      'https://sb.example',
      'sb.example',
      ['https://app.example'],
      false,
    ],
    [
      'localhost once a list is set',
      'http://localhost:5173',
      'sb.example',
      ['https://app.example'],
      false,
    ],
    ['listed, other scheme', 'http://app.example', 'sb.example', ['https://app.example'], false],
  ];
  it.each(cases)('%s', (_name, origin, host, allowed, expected) => {
    // Plain http: the server itself, or the untrusted leg behind a TLS-terminating proxy.
    expect(isOriginAllowed(origin, { host, protocol: 'http' }, allowed)).toBe(expected);
  });

  // The server knows the client reached it over https: its own TLS, or a trusted proxy's
  // X-Forwarded-Proto (with X-Forwarded-Host as the host).
  const overHttps: [string, string, string, string[], boolean][] = [
    ['an https page of the host', 'https://app.example', 'app.example', [], true],
    ['an http page of the host', 'http://app.example', 'app.example', [], false],
    ['an https page of another host', 'https://evil.example', 'app.example', [], false],
    ['a listed http origin', 'http://dev.example', 'app.example', ['http://dev.example'], true],
  ];
  it.each(overHttps)('over https: %s', (_name, origin, host, allowed, expected) => {
    expect(isOriginAllowed(origin, { host, protocol: 'https' }, allowed)).toBe(expected);
  });
});
