import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectError, signIn, startTestApi, type TestApi } from './test-api';

describe('health, JWKS, unknown routes and headers', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.close());

  it('answers a malformed URL in the API’s error shape, without echoing it', async () => {
    const cookie = await signIn(api.app, 'alice@demo');
    const res = await api.app.inject({
      method: 'GET',
      url: '/api/rooms/%E0%A4%A/messages',
      headers: { cookie },
    });
    expectError(res, 400, 'bad_url');
    expect(res.body).not.toContain('%E0');
  });

  it('GET /healthz answers ok', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /healthz says "starting" (503) until every listener is up', async () => {
    let ready = false;
    const starting = await startTestApi({ deps: { ready: () => ready } });
    try {
      const early = await starting.app.inject({ method: 'GET', url: '/healthz' });
      expect({ status: early.statusCode, body: early.json() }).toEqual({
        status: 503,
        body: { status: 'starting' },
      });
      ready = true;
      const later = await starting.app.inject({ method: 'GET', url: '/healthz' });
      expect({ status: later.statusCode, body: later.json() }).toEqual({
        status: 200,
        body: { status: 'ok' },
      });
    } finally {
      await starting.close();
    }
  });

  it('GET /.well-known/jwks.json serves the public key that verifies minted tokens', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(api.tokens.jwks());
    const [key] = (res.json() as { keys: Record<string, unknown>[] }).keys;
    expect(key).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
  });

  it.each([
    ['GET', '/api/nothing'],
    ['POST', '/api/nothing'],
    ['PUT', '/api/session'],
    ['GET', '/index.html'], // no app built in this test
  ] as const)('%s %s answers 404 in the error shape', async (method, url) => {
    const res = await api.app.inject({
      method,
      url,
      headers: { 'content-type': 'application/json' },
      ...(method === 'GET' ? {} : { payload: '{}' }),
    });
    expectError(res, 404, 'not_found');
  });

  it('sends a CSP that allows its own WebSocket and nothing from elsewhere', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/healthz' });
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    // security-headers.test.ts has what connect-src allows in each setting.
    expect(csp).toMatch(/connect-src 'self' ws:\/\/localhost:80;/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('logs one line per request without credentials', async () => {
    const lines: string[] = [];
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../../src/server/logger');
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const logged = await startTestApi({ deps: { logger } });
    try {
      await signIn(logged.app, 'alice@demo');
      const requestLines = lines.filter((l) => l.includes('"http request"'));
      expect(requestLines).toHaveLength(1);
      expect(JSON.parse(requestLines[0] ?? '{}')).toMatchObject({
        method: 'POST',
        url: '/api/session',
        status: 200,
      });
      expect(lines.join('')).not.toContain('correct-password');
    } finally {
      await logged.close();
    }
  });
});

describe('the built app', () => {
  let dist: string;
  let api: TestApi;
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'sb-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Switchboard</title>');
    await writeFile(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    api = await startTestApi({ deps: { staticDir: dist } });
  });
  afterAll(async () => {
    await api.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and fingerprinted assets with a long cache', async () => {
    const root = await api.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain('<title>Switchboard</title>');
    expect(root.headers['cache-control']).toBe('no-cache');
    const asset = await api.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('answers a client-side route with the app shell', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/rooms/general?x=1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('<title>Switchboard</title>');
  });

  it.each([
    ['GET', '/api/nothing'],
    ['POST', '/rooms/general'],
    ['GET', '/.well-known/other'],
    // A chunk a redeploy removed: the page's dynamic import must fail, not get HTML.
    ['GET', '/assets/workspace-gone123.js'],
  ] as const)('still answers %s %s with a JSON 404', async (method, url) => {
    const res = await api.app.inject({
      method,
      url,
      headers: { 'content-type': 'application/json' },
      ...(method === 'GET' ? {} : { payload: '{}' }),
    });
    expectError(res, 404, 'not_found');
  });

  it('answers a HEAD for a missing asset 404, not the app shell', async () => {
    const res = await api.app.inject({ method: 'HEAD', url: '/assets/workspace-gone123.js' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).not.toMatch(/text\/html/);
  });
});
