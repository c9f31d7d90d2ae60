import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, signIn, startTestApi, type TestApi } from '../http/test-api';

// The HTTP side alone (an external MQTT cluster): user management works, broker views
// say clearly that there is no broker to ask.
let api: TestApi;
let cookie: string;

beforeAll(async () => {
  api = await startTestApi();
  cookie = await signIn(api.app, 'admin@demo');
});
afterAll(() => api.close());

describe('admin API without the embedded broker', () => {
  it.each(['/api/admin/sessions', '/api/admin/retained', '/api/admin/health'])(
    'GET %s answers 503 broker_unavailable',
    async (url) => {
      expectError(
        await api.app.inject({ method: 'GET', url, headers: { cookie } }),
        503,
        'broker_unavailable',
      );
    },
  );

  // The app then keeps what it shows, and its messages as sent.
  it.each(['/api/last-known', '/api/rooms/general/messages/m1'])(
    'GET %s answers 503 broker_unavailable too',
    async (url) => {
      expectError(
        await api.app.inject({ method: 'GET', url, headers: { cookie } }),
        503,
        'broker_unavailable',
      );
    },
  );

  it('still manages users and rules', async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: '/api/admin/users/alice/rules',
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify([{ permission: 'deny', action: 'all', topic: 'chat/x/#' }]),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ connections: 0, removedSubscriptions: [] });
    const disable = await api.app.inject({
      method: 'PATCH',
      url: '/api/admin/users/bob',
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ disabled: true }),
    });
    expect(disable.json()).toMatchObject({ user: 'bob', disabled: true });
  });
});
