import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleRules } from '../../../src/shared/acl';
import { loadConfig } from '../../../src/server/config';
import { connect, json, record, subscribeGrants, waitForMessage } from '../support/mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/test-server';

// Given a certificate, the one process speaks HTTPS and WSS on PORT and MQTT over TLS on
// MQTT_PORT, with the same credentials as in the clear.
const fixtures = path.join(import.meta.dirname, '../fixtures');
const ca = readFileSync(path.join(fixtures, 'tls-cert.pem'));
let server: TestServer;

beforeAll(async () => {
  const { tls } = loadConfig({
    TLS_CERT_FILE: path.join(fixtures, 'tls-cert.pem'),
    TLS_KEY_FILE: path.join(fixtures, 'tls-key.pem'),
  });
  server = await startTestServer({ tls });
});
afterAll(() => server.cleanup());

describe('TLS', () => {
  it('serves the API over HTTPS', async () => {
    expect(server.httpUrl).toMatch(/^https:\/\//);
    const { status, hsts } = await new Promise<{ status?: number; hsts?: string | string[] }>(
      (resolve, reject) => {
        https
          .get(`${server.httpUrl}/healthz`, { ca }, (res) => {
            res.resume();
            resolve({ status: res.statusCode, hsts: res.headers['strict-transport-security'] });
          })
          .on('error', reject);
      },
    );
    expect(status).toBe(200);
    expect(hsts).toBeDefined();
  });

  it('carries MQTT over TLS (mqtts) and WebSocket over TLS (wss) between the same users', async () => {
    expect(server.mqttUrl).toMatch(/^mqtts:\/\//);
    expect(server.wsUrl).toMatch(/^wss:\/\//);
    const { token } = await server.tokens.mint({
      org: 'demo',
      user: 'alice',
      clientId: 'alice-tls',
      acl: roleRules('member'),
    });
    const alice = await connect(server.wsUrl, {
      username: 'alice@demo',
      password: token,
      clientId: 'alice-tls',
      ca,
    });
    const seen = record(alice);
    await subscribeGrants(alice, ['agents/+/state']);
    const agent = await connect(server.mqttUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'agent-tls',
      ca,
    });
    await agent.publishAsync(
      'agents/agent-01/state',
      json({ status: 'idle', detail: 'over tls', updatedAt: 1 }),
      { qos: 1 },
    );
    await waitForMessage(seen, (m) => m.payload.includes('over tls'));
    await agent.endAsync();
    await alice.endAsync();
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(
      connect(server.mqttUrl, {
        username: 'agent-01@demo',
        password: DEMO_PASSWORD,
        clientId: 'untrusting',
      }),
    ).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
