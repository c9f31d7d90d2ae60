import { describe, expect, it } from 'vitest';
import { expectApiError, useAdminServer } from '../admin/admin-server';

// JSON bodies are UTF-8: another declared charset is refused, not read as UTF-8 (its text
// garbled), and bytes that are not UTF-8 are refused, not stored as U+FFFD.

const t = useAdminServer();

const createRoom = (payload: string | Buffer, contentType: string) =>
  t.server.http.inject({
    method: 'POST',
    url: '/api/rooms',
    headers: { cookie: t.cookies.alice, 'content-type': contentType },
    payload,
  });

describe('the encoding of a JSON body', () => {
  it.each([
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/json; charset=ISO-8859-1',
    'application/json;charset="utf-16le"',
  ])('refuses %s with 415 unsupported_charset', async (contentType) => {
    const res = await createRoom(JSON.stringify({ id: 'other-charset' }), contentType);
    expectApiError(res, 415, 'unsupported_charset');
    expect(t.server.storage.rooms.has('demo', 'other-charset')).toBe(false);
  });

  it.each([
    ['no charset', 'application/json', 'plain'],
    ['utf-8', 'application/json; charset=utf-8', 'lower'],
    ['UTF-8 in capitals', 'application/json; Charset=UTF-8', 'upper'],
    ['a quoted one', 'application/json; charset="utf-8"', 'quoted'],
  ])('takes a body with %s', async (_name, contentType, id) => {
    const res = await createRoom(JSON.stringify({ id, name: `Café ${id} ✓` }), contentType);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<{ name: string }>().name).toBe(`Café ${id} ✓`);
  });

  it('refuses bytes that are not UTF-8 with 400 invalid_utf8, storing nothing', async () => {
    const payload = Buffer.concat([
      Buffer.from('{"id":"latin","name":"Caf'),
      Buffer.from([0xe9]), // é in Latin-1: not UTF-8 on its own
      Buffer.from('"}'),
    ]);
    expectApiError(await createRoom(payload, 'application/json'), 400, 'invalid_utf8');
    expect(t.server.storage.rooms.has('demo', 'latin')).toBe(false);
  });
});
