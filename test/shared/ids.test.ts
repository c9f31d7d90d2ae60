import { describe, expect, it } from 'vitest';
import { formatUsername, isValidId, parseUsername } from '../../src/shared/ids';

describe('isValidId', () => {
  it.each([
    ['alice', true],
    ['agent-01', true],
    ['a_b', true],
    ['0day', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['', false],
    ['Alice', false],
    ['-lead', false],
    ['_x', false],
    ['__proto__', false],
    ['constructor', false],
    ['prototype', false],
    ['a+b', false],
    ['a#', false],
    ['a/b', false],
    ['a@b', false],
    ['a\u0000', false],
    ['a b', false],
    ['ünicode', false],
  ])('%j → %s', (id, valid) => {
    expect(isValidId(id)).toBe(valid);
  });
});

describe('parseUsername', () => {
  it.each([
    ['alice@demo', { user: 'alice', org: 'demo' }],
    ['agent-01@acme-2', { user: 'agent-01', org: 'acme-2' }],
    ['alice', null],
    ['@demo', null],
    ['alice@', null],
    ['a@b@c', null],
    ['Alice@demo', null],
    ['alice@__proto__', null],
    ['al+ce@demo', null],
  ])('%j → %j', (username, expected) => {
    expect(parseUsername(username)).toEqual(expected);
  });

  it('round-trips with formatUsername', () => {
    expect(parseUsername(formatUsername('bob', 'demo'))).toEqual({ user: 'bob', org: 'demo' });
  });
});
