import { describe, expect, it } from 'vitest';
import { connect, json } from '../support/mqtt-clients';
import { DEMO_PASSWORD } from '../support/test-server';
import { expectApiError, useAdminServer } from './admin-server';
import { eventually } from '../support/eventually';

// Who may call what: a member gets 403 everywhere, an admin of another org gets 404 on
// this org's ids and sees none of its data in lists.

let jti: string;
let clientId: string;
// The clients stay connected for the whole file: the tests look at their sessions.
const t = useAdminServer({
  keepClients: true,
  setup: async (admin) => {
    const connected = await admin.connectWithToken(admin.cookies.alice);
    admin.open.push(connected.client);
    ({ jti, clientId } = connected);
    const agent = await connect(admin.server.mqttUrl, {
      username: 'agent-01@demo',
      password: DEMO_PASSWORD,
      clientId: 'agent-01-sim',
    });
    admin.open.push(agent);
    await agent.publishAsync('agents/agent-01/state', json({ status: 'idle', updatedAt: 1 }), {
      qos: 1,
      retain: true,
    });
    // Something in demo's audit log.
    await admin.request(admin.cookies.admin, 'PUT', '/api/admin/users/bob/rules', []);
    await eventually(async () => {
      const res = await admin.request(admin.cookies.admin, 'GET', '/api/admin/retained');
      return res.json<{ messages: unknown[] }>().messages.length > 0;
    });
  },
});
const { open } = t;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

// Every admin endpoint, naming demo's ids; the body is valid so only access decides.
const endpoints = (): [Method, string, unknown?][] => [
  ['GET', '/api/admin/users'],
  ['POST', '/api/admin/users', { user: 'newcomer', role: 'member' }],
  ['PATCH', '/api/admin/users/bob', { disabled: true }],
  ['DELETE', '/api/admin/users/bob'],
  ['POST', '/api/admin/users/bob/password'],
  ['PUT', '/api/admin/users/bob/rules', []],
  ['POST', '/api/admin/users/bob/revoke-tokens'],
  ['POST', '/api/admin/acl-check', { user: 'bob', action: 'publish', topic: 'chat/a/messages' }],
  ['GET', '/api/admin/tokens'],
  ['POST', `/api/admin/tokens/${jti}/revoke`],
  ['GET', '/api/admin/sessions'],
  ['POST', `/api/admin/sessions/${clientId}/disconnect`],
  ['DELETE', `/api/admin/sessions/${clientId}`],
  ['GET', '/api/admin/retained'],
  ['DELETE', '/api/admin/retained?topic=agents/agent-01/state'],
  ['GET', '/api/admin/health'],
  ['GET', '/api/admin/audit'],
];

describe('a member', () => {
  it('gets 403 forbidden from every admin endpoint, and nothing changes', async () => {
    for (const [method, url, body] of endpoints()) {
      const res = await t.request(t.cookies.alice, method, url, body);
      expect(
        `${method} ${url} → ${res.statusCode} ${res.json<{ error: { code: string } }>().error.code}`,
      ).toBe(`${method} ${url} → 403 forbidden`);
    }
    expect(t.server.storage.users.getUser('demo', 'bob')?.disabled).toBe(false);
    expect(t.server.storage.tokens.isRevoked(jti)).toBe(false);
    expect(open[0]?.connected).toBe(true);
  });
});

describe('without a session', () => {
  it('every admin endpoint answers 401', async () => {
    for (const [method, url, body] of endpoints()) {
      expectApiError(await t.request('', method, url, body), 401, 'not_signed_in');
    }
  });
});

describe('an admin of another org', () => {
  const demoIds: [Method, string, unknown?][] = [
    ['PATCH', '/api/admin/users/bob', { disabled: true }],
    ['DELETE', '/api/admin/users/bob'],
    ['POST', '/api/admin/users/bob/password'],
    ['PUT', '/api/admin/users/bob/rules', []],
    ['POST', '/api/admin/users/bob/revoke-tokens'],
    ['POST', '/api/admin/acl-check', { user: 'bob', action: 'publish', topic: 'chat/a/messages' }],
  ];

  it.each(demoIds)('gets 404 user_not_found for %s %s', async (method, url, body) => {
    expectApiError(await t.request(t.cookies.acme, method, url, body), 404, 'user_not_found');
  });

  it('gets 404 for demo’s token, session and retained topic, and changes nothing', async () => {
    expectApiError(
      await t.request(t.cookies.acme, 'POST', `/api/admin/tokens/${jti}/revoke`),
      404,
      'token_not_found',
    );
    expectApiError(
      await t.request(t.cookies.acme, 'POST', `/api/admin/sessions/${clientId}/disconnect`),
      404,
      'session_not_found',
    );
    expectApiError(
      await t.request(t.cookies.acme, 'DELETE', '/api/admin/retained?topic=agents/agent-01/state'),
      404,
      'retained_not_found',
    );
    expect(t.server.storage.users.getUser('demo', 'bob')?.disabled).toBe(false);
    expect(t.server.storage.tokens.isRevoked(jti)).toBe(false);
    expect(open[0]?.connected).toBe(true);
  });

  it('sees none of demo’s users, tokens, sessions, retained messages or audit entries', async () => {
    const get = async (url: string) => (await t.request(t.cookies.acme, 'GET', url)).json();
    expect(await get('/api/admin/users')).toEqual({
      users: [expect.objectContaining({ user: 'boss', role: 'admin' })],
    });
    expect(await get('/api/admin/tokens')).toEqual({ tokens: [] });
    expect(await get('/api/admin/sessions')).toEqual({ live: [], offline: [] });
    expect(await get('/api/admin/retained')).toEqual({ messages: [], truncated: false });
    expect(await get('/api/admin/audit')).toEqual({ entries: [], nextCursor: null });
    // The demo admin does see them: the lists above are empty by scope, not by accident.
    const demo = await t.request(t.cookies.admin, 'GET', '/api/admin/audit');
    expect(demo.json<{ entries: unknown[] }>().entries.length).toBeGreaterThan(0);
  });

  it('may create a user with a name demo already uses, in its own org', async () => {
    const res = await t.request(t.cookies.acme, 'POST', '/api/admin/users', {
      user: 'bob',
      role: 'member',
    });
    expect(res.statusCode).toBe(201);
    expect(t.server.storage.users.getUser('acme', 'bob')).toBeDefined();
    expect(t.server.storage.users.getUser('demo', 'bob')?.role).toBe('member');
  });
});
