import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { hashPassword } from '../../../src/server/auth/password';
import { createTokenIssuer, type TokenIssuer } from '../../../src/server/auth/tokens';
import { DEFAULTS, type Config } from '../../../src/server/config';
import { buildHttpApi, type HttpDeps } from '../../../src/server/http';
import { createLogger } from '../../../src/server/logger';
import type { Role } from '../../../src/shared/acl';
import { openTempStorage, type TempStorage } from '../storage/temp-storage';

export const PASSWORD = 'correct-password';

// One scrypt hash shared by every test user: hashing is deliberately slow.
let sharedHash: Promise<string> | undefined;

export interface TestApi {
  app: FastifyInstance;
  t: TempStorage;
  tokens: TokenIssuer;
  config: Config;
  close(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...DEFAULTS,
    port: 0,
    mqttPort: 0,
    dataDir: '(temp)',
    tls: null,
    allowedOrigins: [],
    trustProxy: [],
    demoPassword: null,
    logLevel: 'silent',
    ...overrides,
  };
}

/**
 * A real API over a real temp-dir database: org demo with admin, alice, bob (members),
 * agent-01, notifier, carol (disabled); org acme with mallory; rooms general and random.
 */
export async function startTestApi(
  options: { config?: Partial<Config>; deps?: Partial<HttpDeps> } = {},
): Promise<TestApi> {
  const t = openTempStorage();
  const config = testConfig({ dataDir: t.dir, ...options.config });
  sharedHash ??= hashPassword(PASSWORD);
  const passwordHash = await sharedHash;
  const users: [string, string, Role][] = [
    ['demo', 'admin', 'admin'],
    ['demo', 'alice', 'member'],
    ['demo', 'bob', 'member'],
    ['demo', 'agent-01', 'agent'],
    ['demo', 'notifier', 'service'],
    ['demo', 'carol', 'member'],
    ['acme', 'mallory', 'admin'],
  ];
  t.storage.users.addOrg('demo');
  t.storage.users.addOrg('acme');
  for (const [org, user, role] of users) t.storage.users.addUser({ org, user, role, passwordHash });
  t.storage.users.setDisabled('demo', 'carol', true);
  t.storage.rooms.add('demo', 'general');
  t.storage.rooms.add('demo', 'random');
  t.storage.rooms.add('acme', 'general');

  const tokens = await createTokenIssuer({
    dataDir: t.dir,
    ttlSeconds: config.tokenTtlSeconds,
    revoked: t.storage.tokens,
  });
  const app = await buildHttpApi({
    config,
    storage: t.storage,
    tokens,
    logger: createLogger('silent'),
    staticDir: null,
    ...options.deps,
  });
  await app.ready();
  return {
    app,
    t,
    tokens,
    config,
    async close() {
      await app.close();
      t.cleanup();
    },
  };
}

export function signInRequest(username: string, password = PASSWORD) {
  return {
    method: 'POST' as const,
    url: '/api/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ username, password }),
  };
}

/** Signs in and returns the Cookie header value for later requests. */
export async function signIn(app: FastifyInstance, username: string): Promise<string> {
  const res = await app.inject(signInRequest(username));
  expect(res.statusCode).toBe(200);
  // `__Host-sb_session` when the API speaks TLS (session-cookie.ts).
  const cookie = res.cookies.find((c) => c.name === 'sb_session' || c.name === '__Host-sb_session');
  expect(cookie?.value).toBeTruthy();
  return `${cookie?.name ?? 'sb_session'}=${cookie?.value ?? ''}`;
}

/**
 * A session made in the store, not by signing in: for an agent or service, whose sign-in is
 * refused (not_an_app_account), as one signed in before that was left holding. Returns the
 * Cookie header value.
 */
export function storedSession(api: TestApi, org: string, user: string): string {
  const { id } = api.t.storage.sessions.create(org, user, api.config.sessionTtlSeconds);
  return `sb_session=${id}`;
}

/** Asserts the one error shape and returns the code. */
export function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect({ status: res.statusCode, body: res.json() }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  expect((res.json() as { error: { message: string } }).error.message).not.toBe('');
}
