// Which MQTT client id this tab uses. The id names a persistent session on the broker
// (its subscriptions and the QoS 1 messages queued while away), so:
// - a reload keeps its id (sessionStorage);
// - a new tab reuses an id of this user that no open tab holds (a small pool per device
//   in localStorage, each id guarded by a Web Lock held while the tab lives), so what was
//   queued while the user was away (notifications) arrives on the next visit, and the
//   broker keeps a bounded number of sessions and retained presence topics per device;
// - two open tabs never share an id (a duplicated tab copies sessionStorage, but the
//   lock is still held by the original).
// Ids are `<user>-<12 hex>`: they belong to their user (the broker refuses others').

export const CLIENT_ID_STORAGE_KEY = 'switchboard:client-id';
export const clientIdPoolKey = (user: string) => `switchboard:client-ids:${user}`;
export const CLIENT_ID_POOL_SIZE = 5; // tabs one person keeps open on one device, generously
const RANDOM_BYTES = 6; // 48 bits: collisions between one user's tabs are negligible
const MAX_ID_LENGTH = 64; // ids share the pattern of src/shared/ids.ts
const LOCK_PREFIX = 'switchboard:client-id:';

export interface ClientIdEnvironment {
  session: Storage | null;
  local: Storage | null;
  locks: LockManager | null;
}

export interface ClaimedClientId {
  id: string;
  /** Lets another tab take the id (sign-out, unmount); resolves once it is free. */
  release(): Promise<void>;
}

const released = () => Promise.resolve();

export function browserClientIdEnvironment(): ClientIdEnvironment {
  return {
    session: storageOrNull(() => window.sessionStorage),
    local: storageOrNull(() => window.localStorage),
    locks: typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null,
  };
}

export async function claimClientId(
  user: string,
  env: ClientIdEnvironment,
): Promise<ClaimedClientId> {
  const prefix = `${user.slice(0, MAX_ID_LENGTH - RANDOM_BYTES * 2 - 1)}-`;
  const isOurs = (id: string | null | undefined): id is string =>
    typeof id === 'string' &&
    id.startsWith(prefix) &&
    /^[0-9a-f]+$/.test(id.slice(prefix.length)) &&
    id.length === prefix.length + RANDOM_BYTES * 2;
  const own = safeGet(env.session, CLIENT_ID_STORAGE_KEY);

  if (!env.locks) {
    // Without locks we cannot tell which pooled id is free: keep one id per tab.
    const id = isOurs(own) ? own : `${prefix}${randomSuffix()}`;
    safeSet(env.session, CLIENT_ID_STORAGE_KEY, id);
    return { id, release: released };
  }

  const pool = readPool(env.local, user).filter(isOurs);
  const candidates = [...new Set([own, ...pool].filter(isOurs))];
  for (const id of candidates) {
    const release = await tryLock(env.locks, id);
    if (release) return remember(env, user, pool, id, release);
  }
  const id = `${prefix}${randomSuffix()}`;
  const release = (await tryLock(env.locks, id)) ?? released;
  return remember(env, user, pool, id, release);
}

function remember(
  env: ClientIdEnvironment,
  user: string,
  pool: string[],
  id: string,
  release: () => Promise<void>,
): ClaimedClientId {
  safeSet(env.session, CLIENT_ID_STORAGE_KEY, id);
  // Most recently used first; an id pushed out orphans its broker session, which expires.
  const next = [id, ...pool.filter((other) => other !== id)].slice(0, CLIENT_ID_POOL_SIZE);
  safeSet(env.local, clientIdPoolKey(user), JSON.stringify(next));
  return { id, release };
}

/** Resolves with the release function when the lock was free, null when a tab holds it. */
function tryLock(locks: LockManager, id: string): Promise<(() => Promise<void>) | null> {
  return new Promise((resolve, reject) => {
    let letGo = () => {};
    const held = locks.request(`${LOCK_PREFIX}${id}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      // Held until released or the tab goes away.
      return new Promise<void>((release) => {
        letGo = release;
        resolve(() => {
          letGo();
          return held.then(() => undefined);
        });
      });
    });
    held.catch(reject);
  });
}

function readPool(storage: Storage | null, user: string): string[] {
  try {
    const parsed: unknown = JSON.parse(safeGet(storage, clientIdPoolKey(user)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(RANDOM_BYTES));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function storageOrNull(get: () => Storage): Storage | null {
  try {
    return get();
  } catch {
    return null; // blocked by privacy settings
  }
}

function safeGet(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function safeSet(storage: Storage | null, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Storage full or disabled: the id lasts as long as this page does.
  }
}
