import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/server/broker/broker';
import type { ChatMessage } from '../../../src/shared/schemas';
import { expectApiError, useAdminServer } from '../admin/admin-server';
import { json } from '../support/mqtt-clients';
import { expectError, signIn, startTestApi, type TestApi } from './test-api';

// GET /api/rooms/:room/messages/:id: whether the broker accepted one of the caller's own
// messages. It records an accepted message before its PUBACK leaves, so right after the
// PUBACK a 404 means refused: how the app tells "not delivered" from "sent" (MQTT 3.1.1
// has no negative PUBACK).

const t = useAdminServer();
const { open } = t;

const message = (id: string, text: string, from = 'alice'): ChatMessage => ({
  id,
  from,
  text,
  sentAt: Date.now(),
});
const lookup = (room: string, id: string, cookie = t.cookies.alice) =>
  t.request(cookie, 'GET', `/api/rooms/${room}/messages/${id}`);

async function aliceOnline() {
  const alice = await t.connectWithToken(t.cookies.alice);
  open.push(alice.client);
  return alice.client;
}

describe('GET /api/rooms/:room/messages/:id', () => {
  it('finds an accepted message as soon as it is acknowledged, and not a refused one', async () => {
    const alice = await aliceOnline();
    const accepted = message('accepted-1', 'hello');
    await alice.publishAsync('chat/general/messages', json(accepted), { qos: 1 });
    const found = await lookup('general', 'accepted-1');
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json()).toEqual(accepted);

    // Forged sender: acknowledged [MQTT-3.3.5-2] and dropped.
    const forged = message('forged-1', 'as bob', 'bob');
    await alice.publishAsync('chat/general/messages', json(forged), { qos: 1 });
    expectApiError(await lookup('general', 'forged-1'), 404, 'message_not_found');
    expectApiError(await lookup('random', 'accepted-1'), 404, 'message_not_found');
    expectApiError(await lookup('no-such-room', 'accepted-1'), 404, 'message_not_found');
  });

  it('answers a sender who lost the room entirely about their own messages only', async () => {
    const alice = await aliceOnline();
    const before = message('before-deny', 'still mine');
    await alice.publishAsync('chat/random/messages', json(before), { qos: 1 });
    const deny = [{ permission: 'deny', action: 'all', topic: 'chat/random/#' }];
    const res = await t.request(t.cookies.admin, 'PUT', '/api/admin/users/alice/rules', deny);
    expect(res.statusCode, res.body).toBe(200);
    try {
      await alice.publishAsync('chat/random/messages', json(message('after-deny', 'x')), {
        qos: 1,
      });
      expectApiError(await lookup('random', 'after-deny'), 404, 'message_not_found');
      expect((await lookup('random', 'before-deny')).json()).toEqual(before);
    } finally {
      await t.request(t.cookies.admin, 'PUT', '/api/admin/users/alice/rules', []);
    }
  });

  it('tells a sender whose id another sender used first that it is taken: theirs went nowhere', async () => {
    const bob = await t.connectWithToken(await t.signIn('bob@demo'));
    open.push(bob.client);
    const bobs = message('taken-1', 'b', 'bob');
    await bob.client.publishAsync('chat/general/messages', json(bobs), { qos: 1 });
    const alice = await aliceOnline();
    await alice.publishAsync('chat/general/messages', json(message('taken-1', 'a')), { qos: 1 });
    expectApiError(await lookup('general', 'taken-1'), 409, 'message_id_taken');
    expect(t.server.storage.history.get('demo', 'general', 'taken-1')).toEqual(bobs);
  });

  it('answers with what it holds under the id, for the sender to compare with what it sent', async () => {
    const alice = await aliceOnline();
    const first = message('mine-1', 'first');
    await alice.publishAsync('chat/general/messages', json(first), { qos: 1 });
    // The same id again with other text: acknowledged, not routed (id_taken).
    await alice.publishAsync('chat/general/messages', json({ ...first, text: 'second' }), {
      qos: 1,
    });
    expect((await lookup('general', 'mine-1')).json()).toEqual(first);
  });

  it("does not tell a sender who cannot read the room that an id is someone else's", async () => {
    const bob = await t.connectWithToken(await t.signIn('bob@demo'));
    open.push(bob.client);
    await bob.client.publishAsync('chat/random/messages', json(message('bobs-1', 'b', 'bob')), {
      qos: 1,
    });
    expectApiError(await lookup('random', 'bobs-1'), 409, 'message_id_taken');
    const deny = [{ permission: 'deny', action: 'all', topic: 'chat/random/#' }];
    const res = await t.request(t.cookies.admin, 'PUT', '/api/admin/users/alice/rules', deny);
    expect(res.statusCode, res.body).toBe(200);
    try {
      expectApiError(await lookup('random', 'bobs-1'), 404, 'message_not_found');
    } finally {
      await t.request(t.cookies.admin, 'PUT', '/api/admin/users/alice/rules', []);
    }
  });

  it('refuses a bad id or room, and a caller without a session', async () => {
    expectApiError(await lookup('general', 'x'.repeat(65)), 400, 'invalid_message_id');
    expectApiError(await lookup('No-Room', 'x'), 400, 'invalid_room_id');
    expectApiError(await lookup('general', 'x', ''), 401, 'not_signed_in');
  });
});

describe('GET /api/rooms/:room/messages/:id after a failed history write', () => {
  let api: TestApi;
  let failedAt: number | null = null;
  beforeAll(async () => {
    api = await startTestApi({
      deps: { broker: {} as Broker, historyFailedAt: () => failedAt },
    });
  });
  afterAll(() => api.close());

  it('answers 503 while a missing message proves nothing, then 404 again', async () => {
    const cookie = await signIn(api.app, 'alice@demo');
    const get = () =>
      api.app.inject({ method: 'GET', url: '/api/rooms/general/messages/m1', headers: { cookie } });
    expectError(await get(), 404, 'message_not_found');
    failedAt = Date.now() - 60_000;
    expectError(await get(), 503, 'history_unavailable');
    failedAt = Date.now() - 11 * 60_000;
    expectError(await get(), 404, 'message_not_found');
  });
});
