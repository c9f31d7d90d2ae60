import { describe, expect, it } from 'vitest';
import { createKnownRooms } from '../../../src/server/broker/known-rooms';

/** A store of rooms that counts its reads. */
function store(...rooms: string[]) {
  const existing = new Set(rooms);
  const reads: string[] = [];
  return {
    existing,
    reads,
    exists: (org: string, room: string) => {
      reads.push(`${org}/${room}`);
      return existing.has(`${org}/${room}`);
    },
  };
}

describe('createKnownRooms', () => {
  it('reads the store once for a room that exists, then answers from memory', () => {
    const s = store('demo/general');
    const rooms = createKnownRooms(s.exists);
    for (let i = 0; i < 3; i++) expect(rooms.has('demo', 'general')).toBe(true);
    expect(s.reads).toEqual(['demo/general']);
  });

  it('does not remember a room it did not find: one created since is found at the next ask', () => {
    const s = store();
    const rooms = createKnownRooms(s.exists);
    expect(rooms.has('demo', 'design')).toBe(false);
    expect(rooms.has('demo', 'design')).toBe(false);
    s.existing.add('demo/design'); // by the HTTP API, or another process on the same file
    expect(rooms.has('demo', 'design')).toBe(true);
    expect(rooms.has('demo', 'design')).toBe(true);
    expect(s.reads).toEqual(['demo/design', 'demo/design', 'demo/design']);
  });

  it('keeps orgs apart: a room of one org is not one of another', () => {
    const s = store('demo/general', 'acme/ops');
    const rooms = createKnownRooms(s.exists);
    expect(rooms.has('demo', 'general')).toBe(true);
    expect(rooms.has('acme', 'general')).toBe(false);
    expect(rooms.has('acme', 'ops')).toBe(true);
    expect(rooms.has('demo', 'ops')).toBe(false);
  });

  it('lets a failed read through to its caller, and remembers nothing of it', () => {
    let failing = true;
    const rooms = createKnownRooms(() => {
      if (failing) throw new Error('SQLITE_IOERR');
      return true;
    });
    expect(() => rooms.has('demo', 'general')).toThrow('SQLITE_IOERR');
    failing = false;
    expect(rooms.has('demo', 'general')).toBe(true);
  });
});
