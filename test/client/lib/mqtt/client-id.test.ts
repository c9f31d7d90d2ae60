import { describe, expect, it } from 'vitest';
import {
  CLIENT_ID_POOL_SIZE,
  CLIENT_ID_STORAGE_KEY,
  claimClientId,
  clientIdPoolKey,
  type ClientIdEnvironment,
} from '../../../../src/client/lib/mqtt/client-id';

/** Web Locks shared by the "tabs" of one browser profile. */
class FakeLockManager {
  readonly held = new Set<string>();
  async request(
    name: string,
    _options: LockOptions,
    callback: (lock: Lock | null) => unknown,
  ): Promise<unknown> {
    if (this.held.has(name)) return callback(null);
    this.held.add(name);
    try {
      return await callback({ name, mode: 'exclusive' } as Lock);
    } finally {
      this.held.delete(name);
    }
  }
}

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  copy(): MemoryStorage {
    const copy = new MemoryStorage();
    for (const [key, value] of this.items) copy.setItem(key, value);
    return copy;
  }
}

function browserProfile() {
  const locks = new FakeLockManager();
  const local = new MemoryStorage();
  const tab = (
    session = new MemoryStorage(),
  ): ClientIdEnvironment & { session: MemoryStorage } => ({
    session,
    local,
    locks: locks as unknown as LockManager,
  });
  return { locks, local, tab };
}

const ID = /^alice-[0-9a-f]{12}$/;

describe('claimClientId', () => {
  it('gives two open tabs different ids and keeps a tab’s id across reloads', async () => {
    const { tab } = browserProfile();
    const first = tab();
    const a = await claimClientId('alice', first);
    const b = await claimClientId('alice', tab());
    expect(a.id).toMatch(ID);
    expect(b.id).toMatch(ID);
    expect(a.id).not.toBe(b.id);

    await a.release(); // reload: the page lets go, the same tab claims again
    expect((await claimClientId('alice', first)).id).toBe(a.id);
  });

  it('reuses a free id of a closed tab, so its persistent session (queued notifications) resumes', async () => {
    const { tab } = browserProfile();
    const closed = await claimClientId('alice', tab());
    await closed.release();
    const next = await claimClientId('alice', tab());
    expect(next.id).toBe(closed.id);
  });

  it('gives a duplicated tab (sessionStorage copied) its own id while the original is open', async () => {
    const { tab } = browserProfile();
    const original = tab();
    const a = await claimClientId('alice', original);
    const duplicate = tab(original.session.copy());
    const b = await claimClientId('alice', duplicate);
    expect(b.id).not.toBe(a.id);
    expect(duplicate.session.getItem(CLIENT_ID_STORAGE_KEY)).toBe(b.id);
  });

  it('keeps the pool per user and bounded', async () => {
    const { tab, local } = browserProfile();
    const claims = [];
    for (let i = 0; i < CLIENT_ID_POOL_SIZE + 2; i++)
      claims.push(await claimClientId('alice', tab()));
    const pool = JSON.parse(local.getItem(clientIdPoolKey('alice')) ?? '[]') as string[];
    expect(pool).toHaveLength(CLIENT_ID_POOL_SIZE);
    expect(pool[0]).toBe(claims.at(-1)?.id);

    const bob = await claimClientId('bob', tab());
    expect(bob.id).toMatch(/^bob-[0-9a-f]{12}$/);
    expect(pool).not.toContain(bob.id);
  });

  it('ignores a stored id of another user and falls back to one id per tab without Web Locks', async () => {
    const session = new MemoryStorage();
    session.setItem(CLIENT_ID_STORAGE_KEY, 'bob-0123456789ab');
    const env = { session, local: new MemoryStorage(), locks: null };
    const first = await claimClientId('alice', env);
    expect(first.id).toMatch(ID);
    expect((await claimClientId('alice', env)).id).toBe(first.id);
  });

  it('shortens a long user name so the id stays a valid 64-character id', async () => {
    const user = 'u'.repeat(64);
    const { id } = await claimClientId(user, { session: null, local: null, locks: null });
    expect(id).toHaveLength(64);
    expect(id).toMatch(/^u{51}-[0-9a-f]{12}$/);
  });
});
