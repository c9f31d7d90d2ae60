import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandlers } from '../../../src/server/http/errors';
import { forbiddenKey, registerJsonBodyParser } from '../../../src/server/http/json-body';
import { createLogger } from '../../../src/server/logger';

describe('forbiddenKey', () => {
  it.each([
    ['a __proto__ key', '{"__proto__": {"admin": true}}', '__proto__', '__proto__'],
    ['a nested one', '{"a": {"b": {"__proto__": {}}}}', '__proto__', 'a.b.__proto__'],
    ['one in an array', '{"ids": [1, {"__proto__": 1}]}', '__proto__', 'ids.1.__proto__'],
    [
      'a constructor with a prototype',
      '{"x": {"constructor": {"prototype": {}}}}',
      'constructor.prototype',
      'x.constructor.prototype',
    ],
    ['a __proto__ whose value is not an object', '{"__proto__": null}', '__proto__', '__proto__'],
  ])('finds %s', (_name, text, key, path) => {
    expect(forbiddenKey(JSON.parse(text))).toEqual({ key, path });
  });

  it.each([
    ['plain fields', '{"username": "a", "list": [{"b": 1}]}'],
    ['a constructor that is a string', '{"constructor": "x"}'],
    ['a constructor object without a prototype', '{"constructor": {"name": "x"}}'],
    ['"__proto__" as a value', '{"id": "__proto__", "ids": ["__proto__"]}'],
    ['a scalar', '5'],
    ['null', 'null'],
  ])('finds nothing in %s', (_name, text) => {
    expect(forbiddenKey(JSON.parse(text))).toBeUndefined();
  });

  it('copes with a body nested as deep as it can be', () => {
    const depth = 5_000;
    const text = `${'{"a":'.repeat(depth)}{"__proto__":1}${'}'.repeat(depth)}`;
    expect(forbiddenKey(JSON.parse(text))?.path).toBe(`${'a.'.repeat(depth)}__proto__`);
  });
});

describe('JSON request bodies', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify({ bodyLimit: 1024 * 1024 });
    registerErrorHandlers(app, createLogger('silent'));
    registerJsonBodyParser(app);
    app.post('/echo', async (request) => ({ body: request.body ?? null }));
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: string) =>
    app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload,
    });

  it.each([
    ['a __proto__ key', '{"name": "x", "__proto__": {"admin": true}}', '"__proto__"'],
    ['a __proto__ key written with escapes', '{"\\u005f_proto__": {}}', '"__proto__"'],
    ['a nested __proto__ key', '{"a": [{"__proto__": {}}]}', '(at a.0.__proto__)'],
    [
      'a constructor with a prototype',
      '{"constructor": {"prototype": {"admin": true}}}',
      '"constructor.prototype"',
    ],
  ])('refuses %s as forbidden_key, naming it', async (_name, payload, named) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('forbidden_key');
    expect(error.message).toContain(named);
    expect(error).toEqual({ code: 'forbidden_key', message: expect.any(String) });
  });

  it('names where a forbidden key is in a few hundred characters, however long the keys', async () => {
    const long = 'k'.repeat(5_000);
    const res = await post(`{"${long}": {"${long}": {"__proto__": {}}}}`);
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('forbidden_key');
    expect(error.message).toMatch(
      /^the key "__proto__" is not allowed in a request body \(at k+… \(\d+ more characters\)\)$/,
    );
    expect(error.message.length).toBeLessThan(400);
  });

  it.each([
    ['text that is not JSON', '{"a":'],
    ['a trailing comma', '{"a": 1,}'],
    ['not JSON, though it names __proto__', '{"__proto__": {}'],
  ])('still answers %s as invalid_json', async (_name, payload) => {
    const res = await post(payload);
    expect({ status: res.statusCode, body: res.json() }).toEqual({
      status: 400,
      body: { error: { code: 'invalid_json', message: 'body is not valid JSON' } },
    });
  });

  it.each([
    [
      'an object',
      '{"a": {"b": [1, "x"]}, "constructor": "c"}',
      { a: { b: [1, 'x'] }, constructor: 'c' },
    ],
    ['an empty body as no fields', '', null],
    ['a byte-order mark before the JSON', '\ufeff{"a": 1}', { a: 1 }],
  ])('takes %s', async (_name, payload, body) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ body });
  });
});
