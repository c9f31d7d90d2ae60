import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/server/storage';
import { openTempStorage, type TempStorage } from './temp-storage';

describe('RoomStore', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
    t.storage.users.addOrg('demo');
    t.storage.users.addOrg('acme');
  });
  afterEach(() => t.cleanup());

  it('adds rooms per org, named after their id unless given a name', () => {
    const { rooms } = t.storage;
    expect(rooms.add('demo', 'random')).toEqual({ id: 'random', name: 'random' });
    expect(rooms.add('demo', 'general', '  General chat ')).toEqual({
      id: 'general',
      name: 'General chat',
    });
    expect(rooms.list('demo')).toEqual([
      { id: 'general', name: 'General chat' },
      { id: 'random', name: 'random' },
    ]);
    expect(rooms.list('acme')).toEqual([]);
    expect(rooms.has('demo', 'general')).toBe(true);
    expect(rooms.has('acme', 'general')).toBe(false);
  });

  const refusals: [string, string, string, string | undefined, string][] = [
    ['bad id', 'demo', 'Général', undefined, 'invalid_id'],
    ['topic wildcard', 'demo', '#', undefined, 'invalid_id'],
    ['reserved id', 'demo', 'prototype', undefined, 'invalid_id'],
    ['blank name', 'demo', 'ok', '   ', 'invalid_name'],
    ['long name', 'demo', 'ok', 'n'.repeat(101), 'invalid_name'],
    ['a NUL in the name', 'demo', 'ok', 'ops\u0000', 'invalid_name'],
    ['a line break in the name', 'demo', 'ok', 'ops\nroom', 'invalid_name'],
    ['a right-to-left override', 'demo', 'ok', 'invoice\u202Efdp.exe', 'invalid_name'],
    ['a direction isolate', 'demo', 'ok', '\u2067ops', 'invalid_name'],
    ['nothing visible: zero-width spaces', 'demo', 'ok', '\u200B\u200B', 'invalid_name'],
    ['nothing visible: a Hangul filler', 'demo', 'ok', '\u3164', 'invalid_name'],
    ['a line separator', 'demo', 'ok', 'ops\u2028room', 'invalid_name'],
    ['unknown org', 'nope', 'ok', undefined, 'unknown_org'],
  ];
  it.each(refusals)('refuses %s', (_name, org, id, name, code) => {
    let error: unknown;
    try {
      t.storage.rooms.add(org, id, name);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe(code);
  });

  it('keeps names in any script, right-to-left ones and emoji included', () => {
    expect(t.storage.rooms.add('demo', 'ar', 'غرفة العمليات').name).toBe('غرفة العمليات');
    expect(t.storage.rooms.add('demo', 'party', '🎉 party').name).toBe('🎉 party');
  });

  it('refuses a room twice', () => {
    t.storage.rooms.add('demo', 'ops');
    expect(() => t.storage.rooms.add('demo', 'ops')).toThrow(/already exists/);
  });

  it('refuses a name another room of the org has, in any case or width; another org may', () => {
    t.storage.rooms.add('demo', 'launch', 'Launch');
    for (const name of ['launch', 'LAUNCH', ' Launch ', '\uFF2Caunch']) {
      expect(() => t.storage.rooms.add('demo', 'launch-2', name)).toThrow(
        expect.objectContaining({ code: 'name_taken' }),
      );
    }
    expect(t.storage.rooms.add('demo', 'launch-2', 'Launch 2').name).toBe('Launch 2');
    expect(t.storage.rooms.add('acme', 'launch', 'Launch').name).toBe('Launch');
  });
});
