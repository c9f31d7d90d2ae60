import type { IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/server/config';
import {
  bareAddress,
  clientView,
  registerForwardedHeaders,
  trustedProxies,
  type ClientView,
} from '../../../src/server/http/trusted-proxy';

const FORWARDED = {
  'x-forwarded-for': '203.0.113.9',
  'x-forwarded-host': 'app.example.com',
  'x-forwarded-proto': 'https',
};
const HOST = '127.0.0.1:8080';

// [name, TRUST_PROXY, the socket's peer, headers besides Host, what the request says]
const cases: [string, string, string, Record<string, string>, ClientView][] = [
  [
    'no proxy trusted: the headers are ignored',
    '',
    '127.0.0.1',
    FORWARDED,
    { address: '127.0.0.1', host: HOST, protocol: 'http' },
  ],
  [
    'from a trusted proxy: the client it names',
    '127.0.0.1',
    '127.0.0.1',
    FORWARDED,
    { address: '203.0.113.9', host: 'app.example.com', protocol: 'https' },
  ],
  [
    'from a peer that is not a trusted proxy: a spoofed header is ignored',
    '127.0.0.1',
    '192.0.2.50',
    FORWARDED,
    { address: '192.0.2.50', host: HOST, protocol: 'http' },
  ],
  [
    'what the client wrote in X-Forwarded-For before the proxy appended its address',
    '127.0.0.1',
    '127.0.0.1',
    { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' },
    { address: '203.0.113.9', host: HOST, protocol: 'http' },
  ],
  [
    'a chain of trusted proxies, back to the first address that is not one',
    'loopback, 10.0.0.0/8',
    '127.0.0.1',
    { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 10.1.2.3' },
    { address: '203.0.113.9', host: HOST, protocol: 'http' },
  ],
  [
    'an IPv4-mapped peer matches its IPv4 address',
    '127.0.0.1',
    '::ffff:127.0.0.1',
    FORWARDED,
    { address: '203.0.113.9', host: 'app.example.com', protocol: 'https' },
  ],
  [
    'a trusted proxy that forwards nothing: its own request',
    '127.0.0.1',
    '127.0.0.1',
    {},
    { address: '127.0.0.1', host: HOST, protocol: 'http' },
  ],
  [
    'the nearest proxy’s X-Forwarded-Proto and -Host are the last ones',
    '127.0.0.1',
    '127.0.0.1',
    { 'x-forwarded-proto': 'http, https', 'x-forwarded-host': 'evil.example, app.example.com' },
    { address: '127.0.0.1', host: 'app.example.com', protocol: 'https' },
  ],
  // Azure's Application Gateway adds the client's port: one client, whatever its port.
  [
    'an IPv4 client address with its port: the address alone',
    '127.0.0.1',
    '127.0.0.1',
    { 'x-forwarded-for': '203.0.113.7:51234' },
    { address: '203.0.113.7', host: HOST, protocol: 'http' },
  ],
  [
    'a bracketed IPv6 client address with its port: the address alone',
    '127.0.0.1',
    '127.0.0.1',
    { 'x-forwarded-for': '[2001:db8::1]:443' },
    { address: '2001:db8::1', host: HOST, protocol: 'http' },
  ],
  [
    'a trusted proxy named with its port in the chain is still trusted',
    'loopback, 10.0.0.0/8',
    '127.0.0.1',
    { 'x-forwarded-for': '198.51.100.1:1, 203.0.113.9:2, 10.1.2.3:3' },
    { address: '203.0.113.9', host: HOST, protocol: 'http' },
  ],
  [
    'from a peer that is not a trusted proxy: its header is ignored, port or not',
    '127.0.0.1',
    '192.0.2.50',
    { 'x-forwarded-for': '203.0.113.7:51234' },
    { address: '192.0.2.50', host: HOST, protocol: 'http' },
  ],
  [
    'X-Forwarded-Proto in capitals',
    '127.0.0.1',
    '127.0.0.1',
    { 'x-forwarded-proto': 'HTTPS' },
    { address: '127.0.0.1', host: HOST, protocol: 'https' },
  ],
  [
    'X-Forwarded-Proto wss, as Traefik says it on an upgrade',
    '127.0.0.1',
    '127.0.0.1',
    { 'x-forwarded-proto': 'WSS' },
    { address: '127.0.0.1', host: HOST, protocol: 'https' },
  ],
  [
    'X-Forwarded-Proto ws',
    '127.0.0.1',
    '127.0.0.1',
    { 'x-forwarded-proto': 'ws' },
    { address: '127.0.0.1', host: HOST, protocol: 'http' },
  ],
];

function fakeRequest(peer: string, headers: Record<string, string>): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: { host: HOST, ...headers } } as never;
}

describe('bareAddress', () => {
  it.each([
    ['203.0.113.7:51234', '203.0.113.7'],
    ['203.0.113.7', '203.0.113.7'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    // A bare IPv6 address: its last group is no port.
    ['2001:db8::1', '2001:db8::1'],
    ['2001:db8::443', '2001:db8::443'],
    ['::ffff:203.0.113.7', '::ffff:203.0.113.7'],
    // Not an address with a port: left for proxy-addr to refuse as it would have.
    ['unknown', 'unknown'],
    ['_hidden:80', '_hidden:80'],
    ['[not-an-address]:80', '[not-an-address]:80'],
    ['203.0.113.7:port', '203.0.113.7:port'],
  ])('%s → %s', (entry, bare) => {
    expect(bareAddress(entry)).toBe(bare);
  });
});

describe('clientView', () => {
  it.each(cases)('%s', (_name, trustProxy, peer, headers, expected) => {
    const trust = trustedProxies(loadConfig({ TRUST_PROXY: trustProxy }).trustProxy);
    expect(clientView(fakeRequest(peer, headers), trust)).toEqual(expected);
  });

  it.each([
    ['wss', 'https'],
    ['WS', 'http'],
    ['HTTPS', 'https'],
  ])('reads a trusted proxy’s X-Forwarded-Proto %s on an upgrade as %s', (proto, scheme) => {
    const request = fakeRequest('127.0.0.1', { 'x-forwarded-proto': proto });
    expect(clientView(request, trustedProxies(['127.0.0.1'])).protocol).toBe(scheme);
  });

  it('leaves the upgrade’s own headers as they came', () => {
    const request = fakeRequest('127.0.0.1', {
      'x-forwarded-for': '203.0.113.7:51234',
      'x-forwarded-proto': 'HTTPS',
    });
    clientView(request, trustedProxies(['127.0.0.1']));
    expect(request.headers['x-forwarded-for']).toBe('203.0.113.7:51234');
    expect(request.headers['x-forwarded-proto']).toBe('HTTPS');
  });

  it('takes the scheme of its own TLS socket when no trusted proxy says otherwise', () => {
    const request = {
      socket: { remoteAddress: '192.0.2.50', encrypted: true },
      headers: { host: HOST, 'x-forwarded-proto': 'http' },
    } as never;
    expect(clientView(request, trustedProxies(['127.0.0.1'])).protocol).toBe('https');
  });
});

// The MQTT WebSocket upgrades (clientView) and the HTTP API (Fastify with the same rule,
// and its headers made plain as build-http-api.ts does) must name the same client, or one
// throttle would count what the other does not.
describe('Fastify given the same rule reads requests alike', () => {
  const apps = new Map<string, ReturnType<typeof Fastify>>();
  beforeAll(async () => {
    for (const trustProxy of new Set(cases.map(([, trust]) => trust))) {
      const trust = trustedProxies(loadConfig({ TRUST_PROXY: trustProxy }).trustProxy);
      const app = Fastify({ trustProxy: trust ?? false });
      registerForwardedHeaders(app);
      app.get('/', async (request) => ({
        address: request.ip,
        host: request.host,
        protocol: request.protocol,
      }));
      await app.ready();
      apps.set(trustProxy, app);
    }
  });
  afterAll(async () => {
    for (const app of apps.values()) await app.close();
  });

  it.each(cases)('%s', async (_name, trustProxy, peer, headers, expected) => {
    const app = apps.get(trustProxy);
    const res = await app?.inject({
      url: '/',
      remoteAddress: peer,
      headers: { host: HOST, ...headers },
    });
    expect(res?.json()).toEqual(expected);
  });
});
