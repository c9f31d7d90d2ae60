import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/shared/schemas';
import { expectApiError, useAdminServer } from '../admin/admin-server';
import { json } from '../support/mqtt-clients';

// GET /api/rooms/:room/messages/:id: whether the broker accepted a message. It records an
// accepted message before its PUBACK leaves, so right after the PUBACK a 404 means refused:
// how the app tells "not delivered" from "sent" (MQTT 3.1.1 has no negative PUBACK).

const t = useAdminServer();
const { open } = t;

const message = (id: string, text: string): ChatMessage => ({
  id,
  from: 'alice',
  text,
  sentAt: Date.now(),
});
const lookup = (room: string, id: string, cookie = t.cookies.alice) =>
  t.request(cookie, 'GET', `/api/rooms/${room}/messages/${id}`);

describe('GET /api/rooms/:room/messages/:id', () => {
  it('finds an accepted message as soon as it is acknowledged, and not a refused one', async () => {
    const alice = await t.connectWithToken(t.cookies.alice);
    open.push(alice.client);
    const accepted = message('accepted-1', 'hello');
    await alice.client.publishAsync('chat/general/messages', json(accepted), { qos: 1 });
    const found = await lookup('general', 'accepted-1');
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json()).toEqual(accepted);

    // Forged sender: acknowledged [MQTT-3.3.5-2] and dropped.
    const forged = { ...message('forged-1', 'as bob'), from: 'bob' };
    await alice.client.publishAsync('chat/general/messages', json(forged), { qos: 1 });
    expectApiError(await lookup('general', 'forged-1'), 404, 'message_not_found');
    expectApiError(await lookup('random', 'accepted-1'), 404, 'message_not_found');
  });

  it('answers 403 for a room the caller may not read, 404 for no room, 400 for a bad id', async () => {
    const deny = [{ permission: 'deny', action: 'all', topic: 'chat/finance/#' }];
    const res = await t.request(t.cookies.admin, 'PUT', '/api/admin/users/alice/rules', deny);
    expect(res.statusCode, res.body).toBe(200);
    try {
      expectApiError(await lookup('finance', 'x'), 403, 'forbidden');
    } finally {
      await t.request(t.cookies.admin, 'PUT', '/api/admin/users/alice/rules', []);
    }
    expectApiError(await lookup('no-such-room', 'x'), 404, 'room_not_found');
    expectApiError(await lookup('general', 'x'.repeat(65)), 400, 'invalid_message_id');
    expectApiError(await lookup('general', 'x', ''), 401, 'not_signed_in');
  });
});
