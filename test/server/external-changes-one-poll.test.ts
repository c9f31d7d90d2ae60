import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/server/auth/password';
import { EXTERNAL_CHANGES_POLL_MS } from '../../src/server/external-changes';
import { openStorage } from '../../src/server/storage';
import type { Role } from '../../src/shared/acl';
import mqtt from 'mqtt';
import { holdNextConnect } from './support/hold-connect';
import { connect, json, resume } from './support/mqtt-clients';
import { eventually } from './support/eventually';
import { useTestServer } from './support/server-fixture';
import { DEMO_PASSWORD } from './support/test-server';

// Several changes made outside the server between two of its polls (external-changes.ts),
// on the real server, whose poll runs only when the test moves its timer.

// Before the server starts (hooks run in order), until after it has closed (in reverse).
beforeAll(() => void vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
afterAll(() => void vi.useRealTimers());
const fixture = useTestServer();
const poll = () => vi.advanceTimersByTime(EXTERNAL_CHANGES_POLL_MS);

/** Adds the user as the CLI would, without the server hearing of it. */
async function addUser(user: string, role: Role, extraRules: string[] = []) {
  const { users } = fixture.server.storage;
  users.addUser({ org: 'demo', user, role, passwordHash: await hashPassword(DEMO_PASSWORD) });
  const rules = extraRules.map((topic) => ({ permission: 'allow', action: 'publish', topic }));
  if (rules.length > 0) users.setExtraRules('demo', user, rules);
}

async function device(user: string, clientId: string, clean = true) {
  const client = await connect(fixture.server.mqttUrl, {
    username: `${user}@demo`,
    password: DEMO_PASSWORD,
    clientId,
    clean,
  });
  fixture.open.push(client);
  return client;
}

const retained = (topic: string) => fixture.server.broker.retainedTopics('demo', topic).length > 0;

async function retainedValue(topic: string) {
  const { messages } = await fixture.server.broker.admin.retained('demo', topic, 1);
  const found = messages.find((message) => message.topic === topic);
  return found && (JSON.parse(found.preview) as Record<string, unknown>);
}

const storedSession = async (clientId: string) =>
  (await fixture.server.broker.admin.storedSessions('demo')).some(
    (session) => session.clientId === clientId,
  );

const online = json({ status: 'online', since: 1 });

/** One request to the admin console's API as demo's admin, signed in for it. */
async function asAdmin(method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  const { http } = fixture.server;
  const signIn = await http.inject({
    method: 'POST',
    url: '/api/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ username: 'admin@demo', password: DEMO_PASSWORD }),
  });
  const session = signIn.cookies.find((cookie) => cookie.name === 'sb_session');
  return http.inject({
    method,
    url,
    headers: {
      cookie: `sb_session=${session?.value ?? ''}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** Resolves once the poll has caught up with every change logged (it deletes them then). */
const caughtUp = () =>
  eventually(() => fixture.server.storage.userChanges.after(0, 1).length === 0, 5_000, 'caught up');

describe('changes made outside the server between two polls', () => {
  it('turns offline a user enabled, connected, left online and disabled again', async () => {
    await addUser('uma', 'member');
    const { users } = fixture.server.storage;
    users.setDisabled('demo', 'uma', true);
    poll(); // the server has read uma disabled
    users.setDisabled('demo', 'uma', false);
    const tab = await fixture.member('uma');
    const topic = `presence/uma/${tab.options.clientId}`;
    await tab.publishAsync(topic, online, { qos: 1, retain: true });
    await tab.endAsync(); // DISCONNECT: no will
    users.setDisabled('demo', 'uma', true);
    await eventually(async () => (await retainedValue(topic))?.status === 'online');
    poll(); // disabled at both polls, but enabled in between
    await eventually(async () => (await retainedValue(topic))?.status === 'offline');
  });

  it('keeps what a user removed and created again has set since; clears the old one’s', async () => {
    const presenceToo = ['presence/${username}/${clientid}'];
    await addUser('yann', 'agent', presenceToo);
    const state = 'agents/yann/state';
    const old = await device('yann', 'yann-old');
    await old.publishAsync('presence/yann/yann-old', online, { qos: 1, retain: true });
    await old.publishAsync(state, json({ status: 'working', updatedAt: 1 }), {
      qos: 1,
      retain: true,
    });
    await old.endAsync(); // DISCONNECT: both stay

    // Removed and created again; the new yann leaves a session away, and stays connected
    // with a presence and a state of their own.
    fixture.server.storage.users.removeUser('demo', 'yann');
    await addUser('yann', 'agent', presenceToo);
    const away = await device('yann', 'yann-away', false);
    await away.subscribeAsync('agents/yann/inbox', { qos: 1 });
    await away.endAsync();
    const live = await device('yann', 'yann-live');
    await live.publishAsync('presence/yann/yann-live', online, { qos: 1, retain: true });
    await live.publishAsync(state, json({ status: 'idle', updatedAt: 2 }), {
      qos: 1,
      retain: true,
    });
    await eventually(async () => (await retainedValue(state))?.status === 'idle');
    await eventually(() => retained('presence/yann/yann-live'));
    expect(await storedSession('yann-away')).toBe(true);

    // A user disabled in the same poll: catch-ups run in order, so once theirs is applied,
    // yann's has been.
    await addUser('zed', 'member');
    const marker = await fixture.member('zed');
    const markerTopic = `presence/zed/${marker.options.clientId}`;
    await marker.publishAsync(markerTopic, online, { qos: 1, retain: true });
    await marker.endAsync();
    fixture.server.storage.users.setDisabled('demo', 'zed', true);
    poll();
    await eventually(async () => (await retainedValue(markerTopic))?.status === 'offline');

    expect(retained('presence/yann/yann-old')).toBe(false);
    expect(retained('presence/yann/yann-live')).toBe(true);
    expect(await retainedValue(state)).toEqual({ status: 'idle', updatedAt: 2 });
    expect(await storedSession('yann-away')).toBe(true);
    expect(live.connected).toBe(true);
  });

  it('finds nothing more to do after the console’s DELETE, the user created again since', async () => {
    const presenceToo = ['presence/${username}/${clientid}'];
    await addUser('quinn', 'agent', presenceToo);
    const state = 'agents/quinn/state';
    const old = await device('quinn', 'quinn-old');
    await old.publishAsync(state, json({ status: 'working', updatedAt: 1 }), {
      qos: 1,
      retain: true,
    });
    await old.endAsync();
    expect((await asAdmin('DELETE', '/api/admin/users/quinn')).statusCode).toBe(204);
    expect(retained(state)).toBe(false); // the console's own catch-up, at once

    // Created again in the console before the poll reads the log; the new quinn leaves a
    // session away, and stays connected with a presence and a state of their own.
    const created = await asAdmin('POST', '/api/admin/users', {
      user: 'quinn',
      role: 'agent',
      password: DEMO_PASSWORD,
    });
    expect(created.statusCode).toBe(201);
    const rules = presenceToo.map((topic) => ({ permission: 'allow', action: 'publish', topic }));
    fixture.server.storage.users.setExtraRules('demo', 'quinn', rules);
    const away = await device('quinn', 'quinn-away', false);
    await away.subscribeAsync('agents/quinn/inbox', { qos: 1 });
    await away.endAsync();
    const live = await device('quinn', 'quinn-live');
    await live.publishAsync('presence/quinn/quinn-live', online, { qos: 1, retain: true });
    await live.publishAsync(state, json({ status: 'idle', updatedAt: 2 }), {
      qos: 1,
      retain: true,
    });
    await eventually(async () => (await retainedValue(state))?.status === 'idle');
    await eventually(() => retained('presence/quinn/quinn-live'));
    expect(fixture.server.storage.userChanges.after(0, 10)).toContainEqual(
      expect.objectContaining({ user: 'quinn', kind: 'removed' }),
    );

    poll();
    await caughtUp();
    expect(retained('presence/quinn/quinn-live')).toBe(true);
    expect(await retainedValue(state)).toEqual({ status: 'idle', updatedAt: 2 });
    expect(await storedSession('quinn-away')).toBe(true);
    expect(live.connected).toBe(true);
  });

  it('leaves online a user the console disabled, enabled again and who connected since', async () => {
    await addUser('rita', 'member');
    const patch = (disabled: boolean) =>
      asAdmin('PATCH', '/api/admin/users/rita', { disabled }).then((res) => res.statusCode);
    expect(await patch(true)).toBe(200);
    expect(await patch(false)).toBe(200);
    const tab = await fixture.member('rita');
    const topic = `presence/rita/${tab.options.clientId}`;
    await tab.publishAsync(topic, online, { qos: 1, retain: true });
    await eventually(async () => (await retainedValue(topic))?.status === 'online');
    // The log's entry is caught up with: rita is still the user disabled, so she is marked
    // offline, but for the client ids connected now.
    const markOffline = vi.spyOn(fixture.server.broker.admin, 'markOffline');
    try {
      poll();
      await caughtUp();
      expect(markOffline).toHaveBeenCalledWith('demo', 'rita');
      expect(await markOffline.mock.results[0]?.value).toBe(0);
    } finally {
      markOffline.mockRestore();
    }
    expect(await retainedValue(topic)).toEqual({ status: 'online', since: 1 });
    expect(tab.connected).toBe(true);
  });

  it('forgets the old user’s away sessions though the new one has connected; keeps theirs', async () => {
    await addUser('olga', 'agent');
    const box = await device('olga', 'olga-box', false);
    await box.subscribeAsync('agents/olga/inbox', { qos: 1 });
    await box.endAsync();
    const sender = await fixture.member('alice');
    const command = { id: 'cmd-olga-1', command: 'wipe', from: 'alice' };
    await sender.publishAsync('agents/olga/inbox', json(command), { qos: 1 });

    // Removed and added again by another process; the new olga connects once, under
    // another client id, and leaves a session of her own.
    const other = openStorage(fixture.server.config.dataDir);
    try {
      other.users.removeUser('demo', 'olga');
      other.users.addUser({
        org: 'demo',
        user: 'olga',
        role: 'agent',
        passwordHash: await hashPassword(DEMO_PASSWORD),
      });
    } finally {
      other.close();
    }
    const fresh = await device('olga', 'olga-new', false);
    await fresh.subscribeAsync('agents/olga/inbox', { qos: 1 });
    await fresh.endAsync();
    expect(await storedSession('olga-box')).toBe(true);

    poll();
    await eventually(async () => !(await storedSession('olga-box')), 5_000, 'olga-box forgotten');
    expect(await storedSession('olga-new')).toBe(true);
    const received: string[] = [];
    const { client, sessionPresent } = await resume(fixture.server.mqttUrl, {
      username: 'olga@demo',
      password: DEMO_PASSWORD,
      clientId: 'olga-box',
    });
    fixture.open.push(client);
    client.on('message', (_topic, payload) => received.push(payload.toString()));
    expect(sessionPresent).toBe(false);
    // A queued message would come at once; a round trip of the new session's own is later.
    await client.subscribeAsync('agents/olga/inbox', { qos: 1 });
    expect(received).toEqual([]);
  });

  it('takes no connection of the old user still being set up for the new one’s', async () => {
    await addUser('pia', 'agent');
    const state = 'agents/pia/state';
    const old = await device('pia', 'pia-box');
    await old.publishAsync(state, json({ status: 'working', updatedAt: 1 }), {
      qos: 1,
      retain: true,
    });
    await old.endAsync(); // DISCONNECT: the state stays
    // The old pia connects again, and aedes is still setting that up at the poll.
    const hold = holdNextConnect(fixture.server.broker.aedes, 'pia-late', 'subscriptionsByClient');
    try {
      const late = mqtt.connect(fixture.server.mqttUrl, {
        username: 'pia@demo',
        password: DEMO_PASSWORD,
        clientId: 'pia-late',
        clean: false,
        reconnectPeriod: 0,
      });
      fixture.open.push(late);
      await hold.reached;
      fixture.server.storage.users.removeUser('demo', 'pia');
      await addUser('pia', 'agent'); // created anew; this pia never connects
      poll(); // marks pia-late closing, then clears the old pia's state
      await eventually(() => !retained(state), 2_000, 'state cleared');
    } finally {
      hold.restore();
    }
  });
});
