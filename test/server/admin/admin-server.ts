import type { LightMyRequestResponse } from 'fastify';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password';
import { eventually } from '../support/eventually';
import { closeAll, connect } from '../support/mqtt-clients';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/test-server';

/**
 * The real server (demo org seeded: admin, alice, bob, notifier, agent-01…) plus org acme
 * with its own admin `boss`, and signed-in cookies for the callers the tests need.
 */
export interface AdminServer {
  server: TestServer;
  /** Signed-in cookies: demo's admin, demo's member alice, acme's admin. */
  cookies: { admin: string; alice: string; acme: string };
  /** One request as the given cookie; `body` is sent as JSON (POST/PUT/PATCH always JSON). */
  request(
    cookie: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  signIn(username: string, password?: string): Promise<string>;
  /** Resolves once the admin API lists `clientId` as an away persistent session. */
  untilAway(clientId: string): Promise<void>;
  /** Connects over WebSocket with a token from POST /api/token, as the app does. */
  connectWithToken(
    cookie: string,
    options?: { clientId?: string; clean?: boolean },
  ): Promise<{ client: MqttClient; clientId: string; jti: string }>;
}

export interface AdminFixture extends AdminServer {
  /** Clients a test opened: closed after each test, or with `keepClients` after the file. */
  open: MqttClient[];
}

/**
 * One admin server for a test file: registers the file's hooks (start, then `setup`; close
 * the clients in `open`; clean up) and returns the fixture, filled in before the first test.
 */
export function useAdminServer(
  options: { setup?(t: AdminFixture): Promise<void>; keepClients?: boolean } = {},
): AdminFixture {
  const fixture = { open: [] as MqttClient[] } as AdminFixture;
  beforeAll(async () => {
    Object.assign(fixture, await startAdminServer());
    await options.setup?.(fixture);
  });
  if (!options.keepClients) {
    afterEach(async () => {
      await closeAll(fixture.open.splice(0));
    });
  }
  afterAll(async () => {
    await closeAll(fixture.open.splice(0));
    await fixture.server?.cleanup();
  });
  return fixture;
}

export async function startAdminServer(): Promise<AdminServer> {
  const server = await startTestServer();
  try {
    return await withAdminCallers(server);
  } catch (error) {
    await server.cleanup(); // the suite never got it, so its hooks cannot clean it up
    throw error;
  }
}

/** Adds org acme and its admin, and signs in the callers the tests use. */
async function withAdminCallers(server: TestServer): Promise<AdminServer> {
  server.storage.users.addOrg('acme');
  server.storage.users.addUser({
    org: 'acme',
    user: 'boss',
    role: 'admin',
    passwordHash: await hashPassword(DEMO_PASSWORD),
  });

  const request: AdminServer['request'] = (cookie, method, url, body) =>
    server.http.inject({
      method,
      url,
      headers: {
        cookie,
        ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  async function signIn(username: string, password = DEMO_PASSWORD): Promise<string> {
    const res = await server.http.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username, password }),
    });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'sb_session');
    return `sb_session=${cookie?.value ?? ''}`;
  }

  const connectWithToken: AdminServer['connectWithToken'] = async (cookie, options = {}) => {
    const res = await request(
      cookie,
      'POST',
      '/api/token',
      options.clientId === undefined ? {} : { clientId: options.clientId },
    );
    expect(res.statusCode, res.body).toBe(200);
    const token = res.json<{ username: string; password: string; clientId: string }>();
    const client = await connect(server.wsUrl, {
      username: token.username,
      password: token.password,
      clientId: token.clientId,
      clean: options.clean ?? true,
    });
    const claims = await server.tokens.verify(token.password);
    return { client, clientId: token.clientId, jti: claims.jti };
  };

  // A client's DISCONNECT reaches the broker a little after endAsync resolves.
  const untilAway = (clientId: string) =>
    eventually(
      async () => {
        const res = await request(admin, 'GET', '/api/admin/sessions');
        return res
          .json<{ offline: { clientId: string }[] }>()
          .offline.some((s) => s.clientId === clientId);
      },
      2_000,
      `${clientId} away`,
    );

  const [admin, alice, acme] = await Promise.all([
    signIn('admin@demo'),
    signIn('alice@demo'),
    signIn('boss@acme'),
  ]);
  return { server, cookies: { admin, alice, acme }, request, signIn, connectWithToken, untilAway };
}

/** The one error shape with the given status and code; returns the body. */
export function expectApiError(
  res: LightMyRequestResponse,
  status: number,
  code: string,
): { error: { code: string; message: string; details?: Record<string, unknown> } } {
  const body = res.json<{ error: { code: string; message: string } }>();
  expect({ status: res.statusCode, code: body.error.code }).toEqual({ status, code });
  expect(body.error.message).not.toBe('');
  return body;
}

/** Resolves when the client's connection closes; rejects after `timeoutMs`. */
export function closed(client: MqttClient, timeoutMs = 1_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`still connected after ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
