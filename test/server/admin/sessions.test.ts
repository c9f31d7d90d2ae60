import { describe, expect, it } from 'vitest';
import { connect, json, resume, subscribeGrants } from '../support/mqtt-clients';
import { DEMO_PASSWORD } from '../support/test-server';
import { closed, expectApiError, useAdminServer } from './admin-server';
import { eventually } from '../support/eventually';

const t = useAdminServer();
const { open } = t;

interface Sessions {
  live: Record<string, unknown>[];
  offline: Record<string, unknown>[];
}

async function sessions(cookie = t.cookies.admin): Promise<Sessions> {
  const res = await t.request(cookie, 'GET', '/api/admin/sessions');
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Sessions>();
}

const device = (clientId: string, clean = true) =>
  connect(t.server.mqttUrl, {
    username: 'notifier@demo',
    password: DEMO_PASSWORD,
    clientId,
    clean,
  });

describe('GET /api/admin/sessions', () => {
  it('lists live connections with transport, protocol, subscriptions and queue', async () => {
    const browser = await t.connectWithToken(t.cookies.alice);
    const service = await device('notifier-live', false);
    open.push(browser.client, service);
    await subscribeGrants(browser.client, ['presence/+/+', 'chat/+/+']);
    await subscribeGrants(service, ['chat/+/+']);
    const { live } = await sessions();
    expect(live).toContainEqual({
      clientId: browser.clientId,
      user: 'alice',
      address: expect.stringMatching(/127\.0\.0\.1$/),
      transport: 'ws',
      secure: false,
      protocolVersion: 4,
      persistent: false,
      connectedAt: expect.any(Number),
      jti: browser.jti,
      expiresAt: expect.any(Number),
      subscriptions: ['chat/+/+', 'presence/+/+'],
      queued: 0,
    });
    expect(live).toContainEqual(
      expect.objectContaining({
        clientId: 'notifier-live',
        user: 'notifier',
        transport: 'tcp',
        persistent: true,
        jti: null,
        expiresAt: null,
        subscriptions: ['chat/+/+'],
        queued: 0,
      }),
    );
  });

  it('lists an away persistent session with its queued messages', async () => {
    const away = await device('notifier-away', false);
    await subscribeGrants(away, ['chat/+/+'], 1);
    await away.endAsync();
    await t.untilAway('notifier-away');
    const sender = await t.connectWithToken(t.cookies.alice);
    open.push(sender.client);
    for (const id of ['q1', 'q2']) {
      await sender.client.publishAsync(
        'chat/general/messages',
        json({ id, from: 'alice', text: id, sentAt: Date.now() }),
        { qos: 1 },
      );
    }
    let offline: Sessions['offline'] = [];
    await eventually(
      async () => {
        offline = (await sessions()).offline;
        return offline.some((s) => s.clientId === 'notifier-away' && s.queued === 2);
      },
      2_000,
      'two queued messages',
    );
    expect(offline.find((s) => s.clientId === 'notifier-away')).toEqual({
      clientId: 'notifier-away',
      user: 'notifier',
      subscriptions: ['chat/+/+'],
      queued: 2,
      lastSeenAt: null, // a device's, opened with a password: it does not expire
    });
    expect((await sessions()).live.some((s) => s.clientId === 'notifier-away')).toBe(false);
  });
});

describe('POST /api/admin/sessions/:clientId/disconnect', () => {
  it('closes the connection and it leaves the list', async () => {
    const { client, clientId } = await t.connectWithToken(t.cookies.alice);
    open.push(client);
    expect((await sessions()).live.some((s) => s.clientId === clientId)).toBe(true);
    const res = await t.request(
      t.cookies.admin,
      'POST',
      `/api/admin/sessions/${clientId}/disconnect`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ disconnected: 1 });
    await closed(client);
    expect((await sessions()).live.some((s) => s.clientId === clientId)).toBe(false);
    const audit = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1');
    expect(audit.json<{ entries: unknown[] }>().entries[0]).toMatchObject({
      action: 'session.disconnect',
      target: clientId,
      detail: { users: ['alice'], disconnected: 1 },
    });
  });

  it('narrows to one user with ?user=, and answers 404 for no match', async () => {
    const service = await device('shared-id');
    open.push(service);
    expectApiError(
      await t.request(
        t.cookies.admin,
        'POST',
        '/api/admin/sessions/shared-id/disconnect?user=alice',
      ),
      404,
      'session_not_found',
    );
    expect(service.connected).toBe(true);
    expectApiError(
      await t.request(t.cookies.admin, 'POST', '/api/admin/sessions/nobody-1/disconnect'),
      404,
      'session_not_found',
    );
    expectApiError(
      await t.request(t.cookies.admin, 'POST', '/api/admin/sessions/shared-id/disconnect?user=A/B'),
      400,
      'invalid_user',
    );
  });
});

describe('DELETE /api/admin/sessions/:clientId', () => {
  it('forgets an away persistent session: no subscriptions, no queue', async () => {
    const away = await device('notifier-gone', false);
    await subscribeGrants(away, ['chat/+/+'], 1);
    await away.endAsync();
    await t.untilAway('notifier-gone');
    const res = await t.request(
      t.cookies.admin,
      'DELETE',
      '/api/admin/sessions/notifier-gone?user=notifier',
    );
    expect(res.statusCode, res.body).toBe(204);
    expect((await sessions()).offline.some((s) => s.clientId === 'notifier-gone')).toBe(false);
    const back = await resume(t.server.mqttUrl, {
      username: 'notifier@demo',
      password: DEMO_PASSWORD,
      clientId: 'notifier-gone',
    });
    open.push(back.client);
    // Nothing was kept [MQTT-3.2.2-2], and no subscription came back.
    expect(back.sessionPresent).toBe(false);
    expect((await sessions()).live).toContainEqual(
      expect.objectContaining({ clientId: 'notifier-gone', subscriptions: [] }),
    );
  });

  it('refuses a connected session and answers 404 for an unknown one', async () => {
    const live = await device('notifier-here', false);
    open.push(live);
    expectApiError(
      await t.request(t.cookies.admin, 'DELETE', '/api/admin/sessions/notifier-here'),
      409,
      'session_connected',
    );
    expectApiError(
      await t.request(t.cookies.admin, 'DELETE', '/api/admin/sessions/never-seen'),
      404,
      'session_not_found',
    );
  });
});
