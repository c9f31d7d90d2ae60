import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/server/config';
import { signInRequest, startTestApi, type TestApi } from './test-api';

/** The sources of the CSP's connect-src. */
function connectSources(csp: unknown): string[] {
  const directive = String(csp)
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([name]) => name === 'connect-src');
  return directive?.slice(1) ?? [];
}

const TLS: Partial<Config> = { tls: { cert: 'unused', key: 'unused' } };
const PROXIED = {
  'x-forwarded-for': '198.51.100.7',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'app.example.com',
};

describe('the Content-Security-Policy’s connect-src', () => {
  let api: TestApi | undefined;
  afterEach(() => api?.close());

  const cases: [string, Partial<Config>, Record<string, string>, string[]][] = [
    ['plain http', {}, { host: 'sb.example:8080' }, ["'self'", 'ws://sb.example:8080']],
    ['the server’s own TLS', TLS, { host: 'sb.example' }, ["'self'", 'wss://sb.example']],
    [
      'a trusted proxy that says https',
      { trustProxy: ['127.0.0.1'] },
      { host: '10.0.0.2:8080', ...PROXIED },
      ["'self'", 'wss://app.example.com'],
    ],
    [
      'a proxy it does not trust',
      { trustProxy: ['192.0.2.1'] },
      { host: '10.0.0.2:8080', ...PROXIED },
      ["'self'", 'ws://10.0.0.2:8080'],
    ],
    [
      'ALLOWED_ORIGINS',
      { allowedOrigins: ['https://chat.example.com', 'http://localhost:5173'] },
      { host: 'sb.example' },
      ["'self'", 'ws://sb.example', 'wss://chat.example.com', 'ws://localhost:5173'],
    ],
    ['a Host that is not a host name', {}, { host: 'a b;c' }, ["'self'", "'self'"]],
  ];

  it.each(cases)(
    'over %s: the broker POST /api/token names, and no other host',
    async (_name, config, headers, expected) => {
      api = await startTestApi({
        config,
        deps: config.tls ? { serverFactory: (handler) => createServer(handler) } : {},
      });
      const page = await api.app.inject({ method: 'GET', url: '/healthz', headers });
      const sources = connectSources(page.headers['content-security-policy']);
      expect(sources).toEqual(expected);
      // Never a whole scheme: `ws:` or `wss:` alone would let a script reach any host.
      expect(sources.filter((source) => /^wss?:$/.test(source))).toEqual([]);

      if (expected[1] === "'self'") return; // no broker URL for that Host
      // Signed in as the page would be: through the same proxy, to the same host.
      const request = signInRequest('alice@demo');
      const signedIn = await api.app.inject({
        ...request,
        headers: { ...request.headers, ...headers },
      });
      const session = signedIn.cookies[0];
      const cookie = `${session?.name ?? ''}=${session?.value ?? ''}`;
      const token = await api.app.inject({
        method: 'POST',
        url: '/api/token',
        headers: { ...headers, cookie, 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(token.statusCode).toBe(200);
      expect(sources).toContain(new URL((token.json() as { url: string }).url).origin);
    },
  );
});
