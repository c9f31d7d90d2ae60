import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { connackCode, connect } from '../support/mqtt-clients';
import { DEMO_PASSWORD } from '../support/test-server';
import { closed, expectApiError, useAdminServer } from './admin-server';

const t = useAdminServer();
const { open } = t;
let userCount = 0;

interface UserView {
  user: string;
  role: string;
  disabled: boolean;
  createdAt: number;
  rules: unknown[];
  connections: number;
  password?: string;
}

const nextId = () => `person-${++userCount}`;

const createUser = (body: unknown) => t.request(t.cookies.admin, 'POST', '/api/admin/users', body);

async function newUser(role = 'member') {
  const user = nextId();
  expect((await createUser({ user, role, password: DEMO_PASSWORD })).statusCode).toBe(201);
  return user;
}

/** A new member signed in, and the broker login of a token their sign-in got. */
async function withToken() {
  const user = await newUser();
  const res = await t.request(await t.signIn(`${user}@demo`), 'POST', '/api/token', {});
  expect(res.statusCode, res.body).toBe(200);
  const token = res.json<{ username: string; password: string; clientId: string }>();
  return {
    user,
    login: { username: token.username, password: token.password, clientId: token.clientId },
  };
}

/** Makes the broker's `method` fail, for this test. */
function failing(method: 'markOffline' | 'forgetUser' | 'clearLastKnown') {
  const spy = vi.spyOn(t.server.broker.admin, method).mockRejectedValue(new Error('broker closed'));
  onTestFinished(() => spy.mockRestore());
  return spy;
}

async function lastAudit() {
  const res = await t.request(t.cookies.admin, 'GET', '/api/admin/audit?limit=1');
  return res.json<{ entries: Record<string, unknown>[] }>().entries[0];
}

describe('GET /api/admin/users', () => {
  it('lists the org’s users with role, status, creation time, extra rules and connections', async () => {
    const res = await t.request(t.cookies.admin, 'GET', '/api/admin/users');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { users } = res.json<{ users: UserView[] }>();
    expect(users.map((u) => u.user)).toEqual(
      expect.arrayContaining(['admin', 'alice', 'agent-01']),
    );
    expect(users.find((u) => u.user === 'agent-01')).toEqual({
      user: 'agent-01',
      role: 'agent',
      disabled: false,
      createdAt: expect.any(Number),
      rules: [],
      connections: 0,
    });
    expect(users.some((u) => u.user === 'boss')).toBe(false);
  });
});

describe('POST /api/admin/users', () => {
  it('creates a person with a generated password, shown once, that signs in', async () => {
    const user = nextId();
    const res = await createUser({ user, role: 'member' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<UserView>();
    expect(body).toMatchObject({ user, role: 'member', disabled: false, rules: [] });
    expect(body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    await t.signIn(`${user}@demo`, body.password);
    const list = await t.request(t.cookies.admin, 'GET', '/api/admin/users');
    expect(JSON.stringify(list.json())).not.toContain(body.password);
    expect(await lastAudit()).toMatchObject({
      actor: 'admin',
      action: 'user.create',
      target: user,
      detail: { role: 'member' },
    });
  });

  it.each(['admin', 'service', 'agent'])('creates a %s with the given password', async (role) => {
    const user = nextId();
    const res = await createUser({ user, role, password: 'a-good-password' });
    expect(res.statusCode).toBe(201);
    expect(res.json<UserView>().password).toBeUndefined();
    // Services and agents connect with their permanent password.
    if (role !== 'admin') {
      const code = await connackCode(t.server.mqttUrl, {
        username: `${user}@demo`,
        password: 'a-good-password',
        clientId: `${user}-1`,
      });
      expect(code).toBe(0);
    }
  });

  it.each([
    ['a bad role', { user: 'x1', role: 'owner' }, 400, 'invalid_role'],
    ['a bad user id', { user: 'Bad/Name', role: 'member' }, 400, 'invalid_user_id'],
    [
      'a short password',
      { user: 'x2', role: 'member', password: 'short' },
      400,
      'invalid_password',
    ],
    ['an existing user', { user: 'alice', role: 'member' }, 409, 'user_exists'],
    ['a missing role', { user: 'x3' }, 400, 'invalid_body'],
  ])('refuses %s', async (_name, body, status, code) => {
    expectApiError(await createUser(body), status, code);
  });

  it('refuses bad JSON', async () => {
    const res = await t.server.http.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { cookie: t.cookies.admin, 'content-type': 'application/json' },
      payload: '{"user":',
    });
    expectApiError(res, 400, 'invalid_json');
  });
});

describe('PATCH /api/admin/users/:user', () => {
  const patch = (user: string, body: unknown) =>
    t.request(t.cookies.admin, 'PATCH', `/api/admin/users/${user}`, body);

  it('disabling a user closes their connections and ends their sign-in sessions', async () => {
    const user = await newUser();
    const cookie = await t.signIn(`${user}@demo`);
    const viaToken = await t.connectWithToken(cookie);
    const viaPassword = await connect(t.server.mqttUrl, {
      username: `${user}@demo`,
      password: DEMO_PASSWORD,
      clientId: `${user}-device`,
    });
    open.push(viaToken.client, viaPassword);
    const res = await patch(user, { disabled: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ user, disabled: true, connections: 0 });
    await Promise.all([closed(viaToken.client), closed(viaPassword)]);
    expectApiError(await t.request(cookie, 'GET', '/api/session'), 401, 'not_signed_in');
    const code = await connackCode(t.server.mqttUrl, {
      username: `${user}@demo`,
      password: DEMO_PASSWORD,
      clientId: `${user}-device`,
    });
    expect(code).toBe(5); // not authorized
    expect(await lastAudit()).toMatchObject({
      action: 'user.disable',
      target: user,
      detail: { signedOut: 1, disconnected: 2 },
    });

    expect((await patch(user, { disabled: false })).json()).toMatchObject({ disabled: false });
    expect(await lastAudit()).toMatchObject({ action: 'user.enable', target: user });
    await t.signIn(`${user}@demo`);
  });

  it('disabling a user revokes their tokens: enabled again, a token taken before stays refused', async () => {
    const { user, login } = await withToken();
    expect(await connackCode(t.server.wsUrl, login)).toBe(0);

    await patch(user, { disabled: true });
    expect(await lastAudit()).toMatchObject({
      action: 'user.disable',
      detail: { signedOut: 1, revokedTokens: 1 },
    });
    await patch(user, { disabled: false });
    expect(await connackCode(t.server.wsUrl, login)).toBe(4); // bad credentials: revoked
    // Signing in again gets a token that works.
    const fresh = await t.connectWithToken(await t.signIn(`${user}@demo`));
    open.push(fresh.client);
  });

  it('enabling a user disabled before disabling revoked tokens refuses the tokens they held', async () => {
    const { user, login } = await withToken();
    // As a Switchboard of before 2026-12-06 disabled them: signed out, the token left live.
    t.server.storage.users.setDisabled('demo', user, true);
    t.server.storage.sessions.deleteForUser('demo', user);

    expect((await patch(user, { disabled: false })).json()).toMatchObject({ disabled: false });
    expect(await lastAudit()).toMatchObject({
      action: 'user.enable',
      target: user,
      detail: { revokedTokens: 1 },
    });
    expect(await connackCode(t.server.wsUrl, login)).toBe(4); // bad credentials: revoked
    const fresh = await t.connectWithToken(await t.signIn(`${user}@demo`));
    open.push(fresh.client);
  });

  it('disabling a user turns offline the presence their connections left online without a will', async () => {
    const user = await newUser();
    const cookie = await t.signIn(`${user}@demo`);
    const online = JSON.stringify({ status: 'online', since: 1 });
    // One said DISCONNECT, as the app's old client does at a token renewal (its will, had it
    // one, is discarded); the other has no will and is still connected when disabled.
    const renewed = await t.connectWithToken(cookie);
    const live = await t.connectWithToken(cookie);
    const bystander = await t.connectWithToken(t.cookies.alice);
    open.push(live.client, bystander.client);
    const presence = (clientId: string) => `presence/${user}/${clientId}`;
    const aliceOnline = `presence/alice/${bystander.clientId}`;
    for (const [client, topic] of [
      [renewed.client, presence(renewed.clientId)],
      [live.client, presence(live.clientId)],
      [bystander.client, aliceOnline],
    ] as const) {
      await client.publishAsync(topic, online, { qos: 1, retain: true });
    }
    await renewed.client.endAsync();
    const { admin } = t.server.broker;
    const statusOf = async (topic: string) => {
      const { messages } = await admin.retained('demo', topic, 1);
      const found = messages.find((message) => message.topic === topic);
      return found && (JSON.parse(found.preview) as { status: string; since: number });
    };
    expect(await statusOf(presence(renewed.clientId))).toEqual({ status: 'online', since: 1 });

    const before = Date.now();
    const res = await patch(user, { disabled: true });
    expect(res.statusCode, res.body).toBe(200);
    for (const clientId of [renewed.clientId, live.clientId]) {
      const value = await statusOf(presence(clientId));
      expect(value).toEqual({ status: 'offline', since: expect.any(Number) });
      expect(value!.since).toBeGreaterThanOrEqual(before);
    }
    expect(await statusOf(aliceOnline)).toEqual({ status: 'online', since: 1 });
    expect(await lastAudit()).toMatchObject({
      action: 'user.disable',
      target: user,
      detail: { disconnected: 1, markedOffline: 2 },
    });
    await closed(live.client);
  });

  it('disables and audits a user whose presence the broker failed to mark offline', async () => {
    const user = await newUser();
    const markOffline = failing('markOffline');
    const res = await patch(user, { disabled: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ user, disabled: true });
    expect(markOffline).toHaveBeenCalledWith('demo', user);
    const entry = await lastAudit();
    expect(entry).toMatchObject({ action: 'user.disable', target: user });
    expect(entry!.detail).not.toHaveProperty('markedOffline'); // not known
  });

  it('changes the role', async () => {
    const user = await newUser();
    expect((await patch(user, { role: 'service' })).json()).toMatchObject({ role: 'service' });
    expect(t.server.storage.users.getUser('demo', user)?.role).toBe('service');
  });

  it.each(['agent', 'service'])(
    'ends the sign-ins of a user made %s (who cannot use the app): the open app closes',
    async (role) => {
      const user = await newUser();
      const laptop = await t.signIn(`${user}@demo`);
      const phone = await t.signIn(`${user}@demo`);
      const app = await t.connectWithToken(laptop);
      const bystander = await t.connectWithToken(t.cookies.alice);
      open.push(app.client, bystander.client);
      const res = await patch(user, { role });
      expect(res.statusCode, res.body).toBe(200);
      await closed(app.client);
      expect(bystander.client.connected).toBe(true);
      expect(t.server.storage.tokens.isRevoked(app.jti)).toBe(true);
      for (const cookie of [laptop, phone]) {
        expectApiError(await t.request(cookie, 'GET', '/api/session'), 401, 'not_signed_in');
      }
      expect(await lastAudit()).toMatchObject({
        action: 'user.role',
        target: user,
        detail: { from: 'member', to: role, signedOut: 2, revokedTokens: 1, disconnected: 1 },
      });
    },
  );

  it('turns offline the presence left online by the app of a user made an agent', async () => {
    const user = await newUser();
    const cookie = await t.signIn(`${user}@demo`);
    // The app's old client at a token renewal: online presence, then DISCONNECT (its will
    // discarded). Made an agent, they can no longer open the app to correct it.
    const renewed = await t.connectWithToken(cookie);
    const topic = `presence/${user}/${renewed.clientId}`;
    await renewed.client.publishAsync(topic, JSON.stringify({ status: 'online', since: 1 }), {
      qos: 1,
      retain: true,
    });
    await renewed.client.endAsync();
    const { admin } = t.server.broker;
    const statusOf = async () => {
      const { messages } = await admin.retained('demo', topic, 1);
      const found = messages.find((message) => message.topic === topic);
      return found && (JSON.parse(found.preview) as { status: string; since: number });
    };
    expect(await statusOf()).toEqual({ status: 'online', since: 1 });

    const before = Date.now();
    const res = await patch(user, { role: 'agent' });
    expect(res.statusCode, res.body).toBe(200);
    const value = await statusOf();
    expect(value).toEqual({ status: 'offline', since: expect.any(Number) });
    expect(value!.since).toBeGreaterThanOrEqual(before);
    expect(await lastAudit()).toMatchObject({
      action: 'user.role',
      target: user,
      detail: { from: 'member', to: 'agent', signedOut: 1, markedOffline: 1 },
    });
  });

  it('changes the role of a user whose presence the broker failed to mark offline', async () => {
    const user = await newUser();
    const markOffline = failing('markOffline');
    const res = await patch(user, { role: 'service' });
    expect(res.statusCode, res.body).toBe(200);
    expect(markOffline).toHaveBeenCalledWith('demo', user);
    const entry = await lastAudit();
    expect(entry).toMatchObject({ action: 'user.role', detail: { to: 'service' } });
    expect(entry!.detail).not.toHaveProperty('markedOffline'); // not known
  });

  it('leaves the sign-ins of a user whose new role uses the app too', async () => {
    const user = await newUser();
    const cookie = await t.signIn(`${user}@demo`);
    const app = await t.connectWithToken(cookie);
    open.push(app.client);
    expect((await patch(user, { role: 'admin' })).statusCode).toBe(200);
    expect((await t.request(cookie, 'GET', '/api/session')).json()).toMatchObject({
      role: 'admin',
    });
    expect(app.client.connected).toBe(true);
    const entry = await lastAudit();
    expect(entry).not.toHaveProperty('detail.signedOut');
    expect(entry).not.toHaveProperty('detail.markedOffline');
  });

  it.each([
    ['a bad role', { role: 'owner' }, 400, 'invalid_role'],
    ['nothing to change', {}, 400, 'invalid_body'],
    ['an unknown field', { role: 'member', admin: true }, 400, 'unknown_field'],
    ['a non-boolean disabled', { disabled: 'yes' }, 400, 'invalid_body'],
  ])('refuses %s', async (_name, body, status, code) => {
    expectApiError(await patch('bob', body), status, code);
  });

  it('refuses an unknown user, and an admin disabling or demoting themselves', async () => {
    expectApiError(await patch('nobody', { disabled: true }), 404, 'user_not_found');
    expectApiError(await patch('admin', { disabled: true }), 409, 'cannot_modify_self');
    expectApiError(await patch('admin', { role: 'member' }), 409, 'cannot_modify_self');
    expect(t.server.storage.users.getUser('demo', 'admin')).toMatchObject({
      role: 'admin',
      disabled: false,
    });
  });
});

describe('DELETE /api/admin/users/:user', () => {
  it('deletes the user, closes their connections, revokes their tokens and sign-ins', async () => {
    const user = await newUser();
    const cookie = await t.signIn(`${user}@demo`);
    const { client, jti } = await t.connectWithToken(cookie);
    const stored = await t.connectWithToken(cookie, { clientId: `${user}-kept`, clean: false });
    await stored.client.subscribeAsync(`notifications/${user}`, { qos: 1 });
    await stored.client.endAsync();
    await t.untilAway(`${user}-kept`);
    open.push(client);
    const res = await t.request(t.cookies.admin, 'DELETE', `/api/admin/users/${user}`);
    expect(res.statusCode, res.body).toBe(204);
    await closed(client);
    expect(t.server.storage.users.getUser('demo', user)).toBeUndefined();
    expect(t.server.storage.tokens.isRevoked(jti)).toBe(true);
    expectApiError(await t.request(cookie, 'GET', '/api/session'), 401, 'not_signed_in');
    expect(await lastAudit()).toMatchObject({
      action: 'user.delete',
      target: user,
      detail: {
        role: 'member',
        revokedTokens: 2,
        disconnected: 1,
        forgottenSessions: 1,
        clearedStates: 0,
      },
    });
    const sessions = await t.request(t.cookies.admin, 'GET', '/api/admin/sessions');
    expect(JSON.stringify(sessions.json())).not.toContain(`"user":"${user}"`);
    expectApiError(
      await t.request(t.cookies.admin, 'DELETE', `/api/admin/users/${user}`),
      404,
      'user_not_found',
    );
  });

  it('clears the deleted user’s last-known states, and their wills do not bring them back', async () => {
    const agent = await newUser('agent');
    const state = `agents/${agent}/state`;
    const device = await connect(t.server.mqttUrl, {
      username: `${agent}@demo`,
      password: DEMO_PASSWORD,
      clientId: `${agent}-dev`,
      will: {
        topic: state,
        payload: Buffer.from(JSON.stringify({ status: 'offline', updatedAt: 2 })),
        qos: 1,
        retain: true,
      },
    });
    open.push(device);
    await device.publishAsync(state, JSON.stringify({ status: 'working', updatedAt: 1 }), {
      qos: 1,
      retain: true,
    });
    const member = await newUser();
    const tab = await t.connectWithToken(await t.signIn(`${member}@demo`));
    open.push(tab.client);
    const presence = `presence/${member}/${tab.clientId}`;
    await tab.client.publishAsync(presence, JSON.stringify({ status: 'online', since: 1 }), {
      qos: 1,
      retain: true,
    });
    const { admin } = t.server.broker;
    expect(await admin.hasRetained('demo', state)).toBe(true);
    expect(await admin.hasRetained('demo', presence)).toBe(true);

    for (const user of [agent, member]) {
      const res = await t.request(t.cookies.admin, 'DELETE', `/api/admin/users/${user}`);
      expect(res.statusCode, res.body).toBe(204);
      // Cleared by the route, or already by the will of the connection it closed.
      const { detail } = (await lastAudit()) as { detail: { clearedStates: number } };
      expect([0, 1]).toContain(detail.clearedStates);
    }
    await closed(device);
    await closed(tab.client);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a will would be stored by now
    expect(await admin.hasRetained('demo', state)).toBe(false);
    expect(await admin.hasRetained('demo', presence)).toBe(false);
  });

  it('deletes and audits a user whose sessions and states the broker failed to clear', async () => {
    const user = await newUser();
    const calls = [failing('forgetUser'), failing('clearLastKnown')];
    const res = await t.request(t.cookies.admin, 'DELETE', `/api/admin/users/${user}`);
    expect(res.statusCode, res.body).toBe(204);
    for (const call of calls) expect(call).toHaveBeenCalledWith('demo', user);
    expect(t.server.storage.users.getUser('demo', user)).toBeUndefined();
    const entry = await lastAudit();
    expect(entry).toMatchObject({
      action: 'user.delete',
      target: user,
      detail: { role: 'member' },
    });
    expect(entry!.detail).not.toHaveProperty('forgottenSessions');
    expect(entry!.detail).not.toHaveProperty('clearedStates');
  });

  it('leaves an agent created again under the id none of the deleted one’s command log', async () => {
    const agent = await newUser('agent');
    const { agentCommands } = t.server.storage;
    agentCommands.recordCommand('demo', agent, { id: 'c1', command: 'ping', from: 'alice' });
    expect(
      (await t.request(t.cookies.admin, 'DELETE', `/api/admin/users/${agent}`)).statusCode,
    ).toBe(204);
    expect(agentCommands.page('demo', agent, { limit: 10 }).commands).toEqual([]);
  });

  it('leaves a user created again under the id none of the deleted one’s notifications', async () => {
    const notify = async (user: string, id: string) => {
      const notifier = await connect(t.server.mqttUrl, {
        username: 'notifier@demo',
        password: DEMO_PASSWORD,
        clientId: `notifier-${id}`,
      });
      await notifier.publishAsync(
        `notifications/${user}`,
        JSON.stringify({ id, title: id, body: '', createdAt: Date.now() }),
        { qos: 1 },
      );
      await notifier.endAsync();
    };
    const inboxOf = async (user: string) => {
      const res = await t.request(await t.signIn(`${user}@demo`), 'GET', '/api/notifications');
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ notifications: { id: string }[] }>().notifications.map((n) => n.id);
    };
    const user = await newUser();
    await notify(user, 'for-the-first');
    expect(await inboxOf(user)).toEqual(['for-the-first']);
    expect(
      (await t.request(t.cookies.admin, 'DELETE', `/api/admin/users/${user}`)).statusCode,
    ).toBe(204);
    // The deletion took them: nothing of the user's is left to forget.
    expect(t.server.storage.notifications.forgetUser('demo', user)).toBe(0);
    await notify(user, 'for-nobody'); // sent to the id while no user has it
    expect((await createUser({ user, role: 'member', password: DEMO_PASSWORD })).statusCode).toBe(
      201,
    );
    expect(await inboxOf(user)).toEqual([]);
    await notify(user, 'for-the-second');
    expect(await inboxOf(user)).toEqual(['for-the-second']);
  });

  it('refuses an admin deleting themselves', async () => {
    expectApiError(
      await t.request(t.cookies.admin, 'DELETE', '/api/admin/users/admin'),
      409,
      'cannot_modify_self',
    );
  });
});

describe('POST /api/admin/users/:user/password', () => {
  it('sets a new password, shown once; the old one, its sign-ins, tokens and connections end', async () => {
    const user = await newUser(); // a member: the app, and a device on their password
    const cookie = await t.signIn(`${user}@demo`);
    const device = await connect(t.server.mqttUrl, {
      username: `${user}@demo`,
      password: DEMO_PASSWORD,
      clientId: `${user}-device`,
    });
    open.push(device);
    // What a sign-in made with the old password: a token, and a connection on it.
    const tab = await t.connectWithToken(cookie);
    open.push(tab.client);
    const res = await t.request(t.cookies.admin, 'POST', `/api/admin/users/${user}/password`);
    expect(res.statusCode, res.body).toBe(200);
    const { password } = res.json<{ user: string; password: string }>();
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    await closed(device);
    await closed(tab.client);
    expect(t.server.storage.tokens.isRevoked(tab.jti)).toBe(true);
    expectApiError(await t.request(cookie, 'GET', '/api/session'), 401, 'not_signed_in');
    const login = (pw: string) =>
      connackCode(t.server.mqttUrl, {
        username: `${user}@demo`,
        password: pw,
        clientId: `${user}-device`,
      });
    expect(await login(DEMO_PASSWORD)).toBe(4);
    expect(await login(password)).toBe(0);
    const entry = await lastAudit();
    expect(entry).toMatchObject({
      action: 'user.password_reset',
      target: user,
      detail: { signedOut: 1, disconnected: 2, revokedTokens: 1 },
    });
    expect(JSON.stringify(entry)).not.toContain(password);
  });

  it('refuses an unknown user and the caller themselves', async () => {
    expectApiError(
      await t.request(t.cookies.admin, 'POST', '/api/admin/users/nobody/password'),
      404,
      'user_not_found',
    );
    expectApiError(
      await t.request(t.cookies.admin, 'POST', '/api/admin/users/admin/password'),
      409,
      'cannot_modify_self',
    );
  });
});
