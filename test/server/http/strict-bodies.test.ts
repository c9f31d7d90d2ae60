import { describe, expect, it } from 'vitest';
import { expectApiError, useAdminServer } from '../admin/admin-server';
import { DEMO_PASSWORD } from '../support/test-server';

// Every request body is strict, as the MQTT payloads are: a field a route does not take is
// refused by name, never passed over (a misspelt optional field would be lost unseen).

const t = useAdminServer();

type Caller = 'none' | 'alice' | 'admin';
const rule = { permission: 'allow', action: 'publish', topic: 'chat/x/messages' };

const routes: [method: 'POST' | 'PUT' | 'PATCH', url: string, caller: Caller, body: unknown][] = [
  ['POST', '/api/session', 'none', { username: 'alice@demo', password: DEMO_PASSWORD, extra: 1 }],
  ['POST', '/api/token', 'alice', { extra: 1 }],
  ['POST', '/api/rooms', 'alice', { id: 'strict', extra: 1 }],
  ['PUT', '/api/rooms/general/read', 'alice', { upTo: ['m1'], extra: 1 }],
  ['POST', '/api/notifications/read', 'alice', { account: 'alice@demo', ids: ['n1'], extra: 1 }],
  ['POST', '/api/admin/users', 'admin', { user: 'strict', role: 'member', extra: 1 }],
  ['PATCH', '/api/admin/users/bob', 'admin', { role: 'member', extra: 1 }],
  ['PUT', '/api/admin/users/bob/rules', 'admin', [rule, { ...rule, extra: 1 }]],
  [
    'POST',
    '/api/admin/acl-check',
    'admin',
    { user: 'bob', action: 'publish', topic: 'a', extra: 1 },
  ],
  ['POST', '/api/admin/users/bob/password', 'admin', { extra: 1 }],
  ['POST', '/api/admin/users/bob/revoke-tokens', 'admin', { extra: 1 }],
  ['POST', '/api/admin/tokens/some-jti/revoke', 'admin', { extra: 1 }],
  ['POST', '/api/admin/sessions/some-client/disconnect', 'admin', { extra: 1 }],
];

describe('request bodies with a field the route does not take', () => {
  it.each(routes)('%s %s: 400 unknown_field naming it', async (method, url, caller, body) => {
    const cookie = caller === 'none' ? '' : t.cookies[caller];
    const res = await t.request(cookie, method, url, body);
    const { error } = expectApiError(res, 400, 'unknown_field');
    expect(error.message).toContain('"extra"');
  });

  it('creates nothing, changes nothing', async () => {
    expect(t.server.storage.rooms.has('demo', 'strict')).toBe(false);
    expect(t.server.storage.users.extraRules('demo', 'bob')).toEqual([]);
  });

  it('says where a nested one is, and names at most three', async () => {
    const rules = await t.request(t.cookies.admin, 'PUT', '/api/admin/users/bob/rules', [
      rule,
      { ...rule, note: 'x' },
    ]);
    expect(expectApiError(rules, 400, 'unknown_field').error.message).toMatch(/"note".*\(in 1\)/);
    const many = await t.request(t.cookies.alice, 'POST', '/api/rooms', {
      id: 'strict',
      a: 1,
      b: 1,
      c: 1,
      d: 1,
    });
    expect(expectApiError(many, 400, 'unknown_field').error.message).toContain(
      'unknown fields "a", "b", "c" and 1 more',
    );
  });

  it('still takes an empty object, or no body, where a route takes no fields', async () => {
    const empty = await t.request(
      t.cookies.admin,
      'POST',
      '/api/admin/sessions/nobody/disconnect',
      {},
    );
    const none = await t.request(t.cookies.admin, 'POST', '/api/admin/sessions/nobody/disconnect');
    // No such session: the request got past its body.
    expectApiError(empty, 404, 'session_not_found');
    expectApiError(none, 404, 'session_not_found');
  });
});
