import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/server/storage';
import { openTempStorage, type TempStorage } from './temp-storage';

describe('SessionStore', () => {
  let t: TempStorage;
  beforeEach(() => {
    t = openTempStorage();
    t.storage.users.addOrg('demo');
    for (const user of ['alice', 'bob']) {
      t.storage.users.addUser({ org: 'demo', user, role: 'member', passwordHash: 'h' });
    }
  });
  afterEach(() => t.cleanup());

  it('creates a 256-bit base64url id that resolves to its user until expiry', () => {
    const { sessions } = t.storage;
    const { id, expiresAt } = sessions.create('demo', 'alice', 60);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe(t.clock.now + 60_000);
    expect(sessions.get(id)).toEqual({ org: 'demo', user: 'alice', expiresAt });
    t.clock.now = expiresAt - 1;
    expect(sessions.get(id)).toBeDefined();
    t.clock.now = expiresAt;
    expect(sessions.get(id)).toBeUndefined();
    expect(sessions.prune()).toBe(1);
  });

  it('gives every session a different id', () => {
    const a = t.storage.sessions.create('demo', 'alice', 60).id;
    const b = t.storage.sessions.create('demo', 'alice', 60).id;
    expect(a).not.toBe(b);
  });

  it('does not store the id itself', () => {
    const { id } = t.storage.sessions.create('demo', 'alice', 60);
    // Checkpoint-free check: the WAL file holds recent writes, the main file older ones.
    const bytes = [DATABASE_FILE, `${DATABASE_FILE}-wal`]
      .map((f) => {
        try {
          return readFileSync(join(t.dir, f)).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    expect(bytes).toContain('alice');
    expect(bytes).not.toContain(id);
  });

  it('resolves nothing for an unknown id', () => {
    expect(t.storage.sessions.get('x'.repeat(43))).toBeUndefined();
    expect(t.storage.sessions.get('')).toBeUndefined();
  });

  it('deletes one session, or all of a user', () => {
    const { sessions } = t.storage;
    const a1 = sessions.create('demo', 'alice', 60).id;
    const a2 = sessions.create('demo', 'alice', 60).id;
    const b1 = sessions.create('demo', 'bob', 60).id;
    sessions.delete(a1);
    expect(sessions.get(a1)).toBeUndefined();
    expect(sessions.get(a2)).toBeDefined();
    sessions.create('demo', 'alice', 60);
    expect(sessions.deleteForUser('demo', 'alice')).toBe(2);
    expect(sessions.get(a2)).toBeUndefined();
    expect(sessions.get(b1)).toBeDefined();
  });

  it('ends just one session by its key, which is not its id (issued tokens keep it)', () => {
    const { sessions } = t.storage;
    const laptop = sessions.create('demo', 'alice', 60).id;
    const phone = sessions.create('demo', 'alice', 60).id;
    const key = sessions.keyOf(laptop);
    expect(key).not.toContain(laptop);
    expect(sessions.keyOf(laptop)).toBe(key);
    expect(sessions.deleteByKey(key)).toBe(1);
    expect(sessions.get(laptop)).toBeUndefined();
    expect(sessions.get(phone)).toBeDefined();
    expect(sessions.deleteByKey(key)).toBe(0);
  });
});
